"""Every sentence a learner reads, in English and Simplified Chinese.

A :class:`Text` holds both languages and renders in the current one, so a message can be built
once (in the trusted grader, say) and shown in whichever language the release uses. The current
language comes from :func:`set_language`, else the ``NNMATH_LANG`` environment variable, else
English.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

LANGUAGES = ("en", "zh")
_language: str | None = None


def set_language(language: str) -> None:
    """Choose the language of every message rendered from now on (``"en"`` or ``"zh"``)."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    _language = language


def get_language() -> str:
    if _language is not None:
        return _language
    env = os.environ.get("NNMATH_LANG", "en")
    return env if env in LANGUAGES else "en"


@dataclass(frozen=True)
class Text:
    """One sentence in both languages; ``str()`` gives the current language."""

    en: str
    zh: str
    key: str = field(default="", compare=False)  # the catalogue entry it came from, for summaries

    def render(self, language: str | None = None) -> str:
        return getattr(self, language or get_language())

    def __str__(self) -> str:
        return self.render()

    def __add__(self, other: "Text") -> "Text":
        return Text(self.en + other.en, self.zh + other.zh, self.key or other.key)


# key -> (English, Chinese). Fields in braces are filled by :func:`say`.
CATALOG: dict[str, tuple[str, str]] = {
    # --- calling the learner's function -------------------------------------------------
    "not_implemented": (
        "{fn} is not implemented yet: replace `raise NotImplementedError()` with your code.",
        "{fn} 还没有实现：请用你的代码替换 `raise NotImplementedError()`。"),
    "not_defined": (
        "{fn} is not defined: run the cell that defines it first (and keep its name).",
        "{fn} 未定义：请先运行定义它的单元格（不要改函数名）。"),
    "raised": (
        "{fn}{call} raised `{error}`.",
        "{fn}{call} 抛出了异常 `{error}`。"),
    "timed_out": (
        "{fn}{call} did not finish within {seconds} s (an endless loop?). It was stopped.",
        "{fn}{call} 在 {seconds} 秒内没有结束（死循环？），已被终止。"),
    "budget_spent": (
        "{fn} was not called: this submission used up its {seconds} s of grading time.",
        "{fn} 未被调用：本次提交已用完 {seconds} 秒的评分时间。"),
    "crashed": (
        "{fn}{call} stopped the Python process ({how}), so it could not be checked.",
        "{fn}{call} 使 Python 进程退出（{how}），因此无法检查。"),
    "broken_before": (
        "{fn} was not checked again: it {what} earlier in this grading run.",
        "{fn} 不再重复检查：它在本次评分中{what}。"),
    "broken_crashed": ("crashed the process", "已使进程崩溃"),
    "function_broken": (
        "{fn} {what} when it was called; the checks that need it score 0.",
        "{fn} 被调用时{what}；依赖它的检查记 0 分。"),
    "broken_timed_out": ("did not finish in time", "未能按时结束"),
    "opaque_result": (
        "{what} is an object of type `{type_name}`; return numbers or numpy arrays.",
        "{what} 是一个 `{type_name}` 类型的对象；请返回数值或 numpy 数组。"),
    "object_array": (
        "{what} is an ndarray whose entries are Python objects (dtype `object`), not numbers: "
        "build it from numbers with numpy operations, or convert it with `.astype(float)`.",
        "{what} 是一个元素为 Python 对象（dtype 为 `object`）而不是数值的 ndarray：请用 numpy 运算由数值构造它，"
        "或用 `.astype(float)` 转换。"),
    "cell_failed": (
        "Your cell {cell} raised `{error}` when it ran, so what it defines is missing.",
        "你的单元格 {cell} 运行时抛出了 `{error}`，因此其中定义的内容缺失。"),
    "cell_crashed": (
        "Your cell {cell} stopped the Python process or did not finish in time, so it was skipped.",
        "你的单元格 {cell} 使 Python 进程退出或未能按时结束，因此被跳过。"),
    "submission_missing": (
        "No notebook {notebook} was found in the submission.",
        "提交中没有找到 notebook {notebook}。"),
    "submission_malformed": (
        "The submitted {notebook} is not a readable notebook (`{error}`).",
        "提交的 {notebook} 不是可读取的 notebook（`{error}`）。"),
    "test_error": (
        "This test could not run: `{error}`.",
        "此测试无法运行：`{error}`。"),
    "mutated": (
        "{fn} modified its argument {arg} in place; return a new array instead "
        "(e.g. `z = z.copy()` or build the result with numpy operations).",
        "{fn} 原地修改了参数 {arg}；请返回一个新数组（例如 `z = z.copy()`，或用 numpy 运算构造结果）。"),
    "warned": (
        "{fn} produced a floating-point warning (`{warning}`); compute it in a numerically stable way.",
        "{fn} 产生了浮点警告（`{warning}`）；请用数值稳定的方式计算。"),
    # --- type and shape --------------------------------------------------------------------
    # Descriptions of types, filled into wrong_type: every word of a message in the release's language.
    "type_float": ("a float", "浮点数（float）"),
    "type_float_hint": ("a float (e.g. `float(x)`)", "浮点数（float，例如 `float(x)`）"),
    "type_ndarray": ("a numpy array (ndarray)", "numpy 数组（ndarray）"),
    "type_ndarray_shape": ("an ndarray of shape {shape}", "形状为 {shape} 的 ndarray"),
    "type_ndarray_of": ("an ndarray of shape {shape} and dtype `{dtype}`",
                        "形状为 {shape}、dtype 为 `{dtype}` 的 ndarray"),
    "type_dict": ("a dict", "字典（dict）"),
    "type_tuple": ("a tuple", "元组（tuple）"),
    "type_list": ("a list", "列表（list）"),
    "type_named": ("a value of type `{name}`", "`{name}` 类型的值"),
    "type_integer": ("an integer (`{name}`)", "整数（`{name}`）"),
    "type_boolean": ("a boolean (`{name}`)", "布尔值（`{name}`）"),
    "returned_none": (
        "{what} is None: did you forget `return`?",
        "{what} 是 `None`：是不是忘了 `return`？"),
    "wrong_type": (
        "{what} should be {expected_type}, but it is {got_type}.",
        "{what} 应该是 {expected_type}，但实际是 {got_type}。"),
    "list_not_array": (
        " Convert it with `np.array(...)`.",
        "请用 `np.array(...)` 转换。"),
    "wrong_dtype": (
        "{what} has dtype `{got_dtype}`; it should hold float64 numbers (e.g. `.astype(float)`).",
        "{what} 的 dtype 是 `{got_dtype}`；应为 float64（例如 `.astype(float)`）。"),
    "wrong_precision": (
        "{what} has dtype `{got_dtype}`, which keeps only about {digits} significant digits; the course computes "
        "in float64 (do not convert to `{got_dtype}`; use `.astype(np.float64)` if you must convert).",
        "{what} 的 dtype 是 `{got_dtype}`，只保留约 {digits} 位有效数字；本课程用 float64 计算"
        "（不要转换成 `{got_dtype}`；如需转换请用 `.astype(np.float64)`）。"),
    "wrong_exception": (
        "{what} raised `{got}`, but it should raise `{expected}`.",
        "{what} 抛出了 `{got}`，但应当抛出 `{expected}`。"),
    "did_not_raise": (
        "{what} returned {got} instead of raising `{expected}`.",
        "{what} 返回了 {got}，而不是抛出 `{expected}`。"),
    "wrong_length": (
        "{what} should have {expected} items, but it has {got}.",
        "{what} 应有 {expected} 项，实际有 {got} 项。"),
    "wrong_keys": (
        "{what} should have the keys {expected}, but it has {got}.",
        "{what} 应包含键 {expected}，实际为 {got}。"),
    "wrong_shape": (
        "{what} has shape {got}, but it should have shape {expected}.",
        "{what} 的形状是 {got}，应为 {expected}。"),
    "hint_transposed_shape": (
        " It looks transposed: check the order of the axes (a missing or extra `.T`?).",
        "看起来被转置了：检查轴的顺序（少了或多了 `.T`？）。"),
    "hint_extra_axis": (
        " Same numbers of entries but an extra or missing axis of length 1: check `reshape`/`keepdims`.",
        "元素个数相同，但多了或少了一个长度为 1 的轴：检查 `reshape`/`keepdims`。"),
    "hint_summed_axis": (
        " It looks like a sum or mean was taken over the wrong axis (or not taken).",
        "看起来求和或求平均的轴不对（或者漏了）。"),
    "hint_reshaped": (
        " It has the right number of entries arranged in another shape: check `reshape` and the axis order.",
        "元素个数正确但排列成了别的形状：检查 `reshape` 和轴的顺序。"),
    "hint_broadcast": (
        " Two arrays of shapes (n,) and (n, 1) were probably broadcast together into a matrix.",
        "可能把形状为 (n,) 和 (n, 1) 的两个数组广播成了一个矩阵。"),
    # --- values --------------------------------------------------------------------------
    "nonfinite": (
        "{what} contains {count} NaN or infinite value(s) where finite numbers were expected: "
        "an overflow (e.g. exp of a large number) or a division by zero?",
        "{what} 在应为有限值的位置含有 {count} 个 NaN 或无穷大：是否溢出（例如对很大的数取 `exp`）或除以零？"),
    "values_differ": (
        "{what}: {count} of {total} entries are wrong; the largest error is {max_abs:.3g} "
        "(relative {max_rel:.2g}) at index {index}.",
        "{what}：{total} 个元素中有 {count} 个不对；最大误差 {max_abs:.3g}（相对误差 {max_rel:.2g}），位于下标 {index}。"),
    "scalar_differs": (
        "{what} is wrong by {max_abs:.3g} (relative {max_rel:.2g}).",
        "{what} 的误差为 {max_abs:.3g}（相对误差 {max_rel:.2g}）。"),
    "scalar_differs_abs": (
        "{what} is wrong by {max_abs:.3g}.",
        "{what} 的误差为 {max_abs:.3g}。"),
    "values_differ_abs": (
        "{what}: {count} of {total} entries are wrong; the largest error is {max_abs:.3g} at index {index}.",
        "{what}：{total} 个元素中有 {count} 个不对；最大误差 {max_abs:.3g}，位于下标 {index}。"),
    "hint_kink": (
        " Every wrong entry sits where the input is exactly {kink:g}, a kink: check the value the docstring "
        "fixes there (`>` versus `>=`).",
        "所有错误的元素都恰好位于输入等于 {kink:g} 的位置，也就是折点：请检查文档字符串为该点规定的值"
        "（`>` 还是 `>=`）。"),
    "pattern_returned_function": (
        "{what} equals {of} itself, not its derivative: differentiate {of}.",
        "{what} 等于 {of} 本身，而不是它的导数：请对 {of} 求导。"),
    "forward_at_fault": (
        " This compares with the numerical derivative of *your* {of}, which failed its own test above: "
        "fix {of} first.",
        "这里比较的是*你的* {of} 的数值导数，而 {of} 没有通过它自己的测试：请先修正 {of}。"),
    "uses_failed": (
        " {fn} calls your {dep}, which failed its own test above: fix {dep} first.",
        "{fn} 调用了你的 {dep}，而 {dep} 没有通过它自己的测试：请先修正 {dep}。"),
    "forward_broke": (
        "Checking {fn} needs the numerical derivative of your {of}, and calling {of} failed: {problem} "
        "Fix {of} first; {fn} itself was not judged.",
        "检查 {fn} 需要你的 {of} 的数值导数，但调用 {of} 失败了：{problem}请先修正 {of}；{fn} 本身尚未被评判。"),
    "expected_value": (
        " Expected {expected}, got {got}.",
        "期望 {expected}，实际得到 {got}。"),
    "pattern_sign": (
        "{what} has the right size but the opposite sign everywhere: a sign error.",
        "{what} 大小正确但处处符号相反：符号错误。"),
    "pattern_transposed": (
        "{what} equals the transpose of the right answer: a missing or extra transpose.",
        "{what} 恰好是正确答案的转置：少了或多了一次转置。"),
    "pattern_factor": (
        "{what} is off by a constant factor of about {factor:.4g} everywhere.",
        "{what} 处处相差一个约为 {factor:.4g} 的常数因子。"),
    "pattern_factor_chain": (
        " In a derivative this is often a forgotten (or extra) chain-rule factor.",
        "在导数中，这通常是漏掉（或多乘）了链式法则中的一个因子。"),
    "pattern_offset": (
        "{what} is off by a constant {offset:.4g} everywhere.",
        "{what} 处处相差一个常数 {offset:.4g}。"),
    "pattern_axis_scale": (
        "{what} is off by a factor that varies along axis {axis}: "
        "normalised, summed or averaged along the wrong axis?",
        "{what} 相差的因子沿第 {axis} 轴变化：是否沿错误的轴做了归一化、求和或平均？"),
    "pattern_slices": (
        "{what} is right except along axis {axis} at positions {positions}, where every entry is wrong.",
        "{what} 除了第 {axis} 轴上的位置 {positions}（这些位置全部错误）以外都正确。"),
    "pattern_input_returned": (
        "{what} equals the input unchanged: the function returns its argument.",
        "{what} 与输入完全相同：函数直接返回了参数。"),
    # --- gradient checks -------------------------------------------------------------------
    "gradient_wrong": (
        "{what} disagrees with the numerical derivative of {of}: relative error {error:.2g} ({verdict}).",
        "{what} 与 {of} 的数值导数不一致：相对误差 {error:.2g}（{verdict}）。"),
    "verdict_exact": ("agrees", "一致"),
    "verdict_ok": ("agrees within numerical precision", "在数值精度内一致"),
    "verdict_suspicious": ("close but not right: check the small terms", "接近但不对：检查较小的项"),
    "verdict_wrong": ("wrong", "错误"),
    # --- successes ---------------------------------------------------------------------------
    "ok_value": ("✓ {fn}{call} = {got}, as expected.", "✓ {fn}{call} = {got}，符合预期。"),
    "ok_derivative": (
        "✓ {fn} agrees with a numerical derivative of {of} (relative error {error:.1e}).",
        "✓ {fn} 与 {of} 的数值导数一致（相对误差 {error:.1e}）。"),
    "ok_reference": (
        "✓ {fn} is correct on {trials} random inputs.",
        "✓ {fn} 在 {trials} 组随机输入上正确。"),
    "ok_elementwise": (
        "✓ {fn} keeps its contract on {cases} inputs: a Python float, a 0-d array, arrays of 1 to 3 dimensions"
        " and the kinks.",
        "✓ {fn} 在 {cases} 组输入上符合约定：Python 浮点数、0 维数组、1 到 3 维数组以及折点。"),
    "ok_stable": (
        "✓ {fn} is stable: finite, correct and warning-free at extreme inputs.",
        "✓ {fn} 数值稳定：在极端输入下结果有限、正确且没有警告。"),
    "check_failed": ("Check failed for {fn}:", "{fn} 的检查未通过："),
    "feedback_title": ("Feedback on {assignment}", "{assignment} 的反馈"),
    "feedback_score": ("Score: **{score:g} / {max_score:g}**", "得分：**{score:g} / {max_score:g}**"),
    "feedback_table": ("| test | points | result |\n|---|---|---|", "| 测试 | 分值 | 结果 |\n|---|---|---|"),
    "feedback_passed": ("passed", "通过"),
    "feedback_failed": ("failed: see the message under the test cell", "未通过：见该测试单元格下方的说明"),
    "feedback_notes": ("Notes on your cells:", "关于你的单元格："),
    # --- issue 15: feedback from the gradebook (manual grades, comments, late penalty) ---------
    "feedback_late_penalty": ("Late by {late}: penalty {penalty:g} point(s) (score before the penalty {raw:g}).",
                              "迟交 {late}：扣 {penalty:g} 分（扣分前得分 {raw:g}）。"),
    "feedback_manual_score": ("{points:g} (set by a grader)", "{points:g}（由评分老师给出）"),
    "feedback_comments": ("Comments from your grader:", "评分老师的评语："),
    # --- isolation (issue 8): limits of a whole submission, bounded replies, grader faults -------------
    "how_cpu": (
        "its processes together used up the submission's {seconds} s of CPU time",
        "其所有进程合计用完了本次提交 {seconds} 秒的 CPU 时间"),
    "how_memory": (
        "its processes together used more than the submission's {megabytes} MB of memory",
        "其所有进程合计使用的内存超过了本次提交的 {megabytes} 兆字节"),
    "reply_too_large": (
        "{fn}{call} returned {size} numbers, far more than its arguments could need (at most {bound}); "
        "it was not checked.",
        "{fn}{call} 返回了 {size} 个数，远多于其参数所需（至多 {bound} 个），因此未被检查。"),
    "reply_inconsistent": (
        "{fn}{call} returned {now}, but earlier, for arguments of the same shapes, {first}; "
        "it was not checked.",
        "{fn}{call} 返回了 {now}，而此前对相同形状的参数返回的是 {first}，因此未被检查。"),
    "reply_refused": (
        "{fn}{call} returned something the grader cannot accept ({why}).",
        "{fn}{call} 返回了评分程序无法接受的内容（{why}）。"),
    "grader_fault": (
        "This submission was not graded because of a fault of the grading system, not of your code "
        "({error}); it will be graded when grading runs again.",
        "由于评分系统（而不是你的代码）出错，本次提交未被评分（{error}）；再次运行评分时会为其评分。"),
    "cell_crashed_how": (
        "Your cell {cell} stopped the Python process ({how}), so it was skipped.",
        "你的单元格 {cell} 使 Python 进程退出（{how}），因此被跳过。"),
    "not_recorded": (
        "The grade could not be recorded ({error}).",
        "成绩无法记录（{error}）。"),
    "budget_spent_cells": (
        "This submission used up its {seconds} s of grading time while its cells ran; the cells not yet run "
        "were left out.",
        "本次提交在运行其单元格时用完了 {seconds} 秒的评分时间；尚未运行的单元格被略过。"),
    # --- end of isolation (issue 8) -------------------------------------------------------------------
    "reference_missing": (
        "The reference implementation is not available here (hidden tests run only when grading).",
        "此处没有参考实现（隐藏测试只在评分时运行）。"),
    # --- issue 9: functions, generators, objects and long calls across the sandbox ----------------
    # (autograder.crossing, checks_objects, checks_properties, checks_source; kept together here)
    "import_unavailable": (
        "{fn} could not be defined: its cell imports `{module}`, which is not part of the course's install "
        "(numpy, matplotlib, IPython and the course package are).",
        "{fn} 无法定义：它的单元格导入了 `{module}`，而课程的安装中没有它（只有 numpy、matplotlib、IPython 和课程包）。"),
    "program_raised": (
        "`{step}` raised {error}{hint}.",
        "`{step}` 抛出了异常 {error}{hint}。"),
    "program_not_object": (
        "`{step}` gave a {type_name}, not a {cls} object: every operation must return a new {cls}.",
        "`{step}` 得到的是 {type_name}，不是 {cls} 对象：每个运算都应返回一个新的 {cls}。"),
    "program_not_number": (
        "`{step}` is a {type_name}, not a number: store plain floats in `.data` and `.grad`.",
        "`{step}` 是 {type_name}，不是数：`.data` 和 `.grad` 里应存放普通的浮点数。"),
    "program_wrong": (
        "`{step}` is wrong after `{context}`{hint}.",
        "执行 `{context}` 之后，`{step}` 的值不对{hint}。"),
    "program_value": (
        "`{step}` is {got} after `{context}`, expected {expected}{hint}.",
        "执行 `{context}` 之后，`{step}` 是 {got}，应为 {expected}{hint}。"),
    "hint_culprit": (
        ": `{step}` alone already gives a wrong value or gradient",
        "：单独计算 `{step}` 时，值或梯度就已经不对"),
    "hint_reflected": (
        ": is `{method}` missing? Python calls it when the number is on the left",
        "：是否缺少 `{method}`？数字在左边时 Python 会调用它"),
    "hint_method": (
        ": is the method `{method}` defined?",
        "：方法 `{method}` 定义了吗？"),
    "hint_accumulate": (
        ": a node used more than once must add up (+=) the gradients of all its uses, not keep only the last",
        "：被多次使用的节点必须把每次使用带来的梯度累加（+=），而不是只保留最后一次"),
    "hint_order": (
        ": `backward()` must run each node's local step once, after every node that uses it "
        "(reverse topological order)",
        "：`backward()` 必须对每个节点只执行一次局部反向计算，并且在所有使用它的节点之后（逆拓扑顺序）"),
    "hint_seed": (
        ": `backward()` must first set the output's own grad to 1.0 (d out / d out = 1)",
        "：`backward()` 必须先把输出自己的 `grad` 设为 1.0（`d out / d out = 1`）"),
    "ok_program": (
        "✓ {cls}: `{what}` gives the right numbers, as expected.",
        "✓ {cls}：`{what}` 的结果符合预期。"),
    "ok_programs": (
        "✓ {cls}: `{what}` gives the right value and gradients on {trials} drawn inputs.",
        "✓ {cls}：`{what}` 在 {trials} 组随机输入上的值和梯度都正确。"),
    "ok_graphs": (
        "✓ {cls} computes and differentiates {trials} random expression graphs ({kind}) correctly.",
        "✓ {cls} 在 {trials} 个随机表达式图（{kind}）上的数值和梯度都正确。"),
    "source_forbidden": (
        "{fn} uses {construct} (line {line}): {rule}",
        "{fn} 使用了 {construct}（第 {line} 行）：{rule}"),
    "source_no_loop": (
        "{fn} has no loop: {rule}",
        "{fn} 没有循环：{rule}"),
    "source_package": (
        "{fn} uses the course package's own `{construct}` (line {line}): this exercise asks you to write it "
        "yourself, so calling ours earns no credit.",
        "{fn} 使用了课程包自带的 `{construct}`（第 {line} 行）：本练习要求你自己实现，调用课程包的版本不能得分。"),
    "source_unavailable": (
        "the source of {fn} is not available: define it in its answer cell.",
        "无法取得 {fn} 的源代码：请在它的答案单元格中定义它。"),
    "ok_source": (
        "✓ {fn} keeps to this exercise's rules: {rule}",
        "✓ {fn} 遵守了本练习的规则：{rule}"),
    "rule_matmul": (
        "compute each `C[i, j]` with explicit loops, without `@`, `dot`, `matmul`, `einsum`, `tensordot`, `inner`, `vdot` "
        "or `outer`.",
        "用显式循环计算每个 `C[i, j]`，不要使用 `@`、`dot`、`matmul`、`einsum`、`tensordot`、`inner`、`vdot` 或 `outer`。"),
    "rule_own_work": (
        "write it yourself, without the course package's gradient checker.",
        "自己实现，不要调用课程包的梯度检验工具。"),
    "not_reproducible": (
        "{fn} gave different results for two generators in the same state: every random draw must come "
        "from `rng` (not from `np.random` or `random`).",
        "{fn} 对状态相同的两个生成器给出了不同的结果：所有随机数都必须来自 `rng`（而不是 `np.random` 或 `random`）。"),
    "ignores_rng": (
        "{fn} gave the same result for generators in different states: draw from the `rng` you are given "
        "(do not make or seed a generator of your own).",
        "{fn} 对状态不同的生成器给出了相同的结果：请从传入的 `rng` 中抽取随机数（不要自己创建或设定种子）。"),
    "ok_reproducible": (
        "✓ {fn} draws from `rng`: the same state gives the same result, another state another one.",
        "✓ {fn} 的随机数来自 `rng`：相同状态结果相同，不同状态结果不同。"),
    "calls_never": (
        "{fn}{call} never called {f}: it must use the function it is given.",
        "{fn}{call} 从未调用 {f}：它必须使用传入的函数。"),
    "calls_count": (
        "{fn}{call} called {f} {got} times; {expected} calls were expected.",
        "{fn}{call} 调用了 {f} {got} 次；应调用 {expected} 次。"),
    "ok_calls": (
        "✓ {fn} called {f} {got} times, as expected.",
        "✓ {fn} 调用 {f} {got} 次，符合预期。"),
    "prop_shapes": (
        "{what} has shapes {got}; expected {expected}.",
        "{what} 的形状是 {got}；应为 {expected}。"),
    "prop_dtype": (
        "{what} holds an array of dtype {got}; expected float64.",
        "{what} 中有 dtype 为 {got} 的数组；应为 float64。"),
    "prop_std": (
        "{what}: the standard deviation of {part} is {got:.3g}; expected about {expected:.3g}.",
        "{what}：{part} 的标准差是 {got:.3g}；应约为 {expected:.3g}。"),
    "prop_gaussian": (
        "{what}: {share:.1f}% of the entries of {part} lie beyond 2 standard deviations; normal draws give about 4.6% "
        "(a uniform draw gives none): draw the weights from a normal distribution.",
        "{what}：{part} 中有 {share:.1f}% 的分量超出 2 个标准差；正态分布约为 4.6%（均匀分布则一个也没有）："
        "权重应从正态分布中抽取。"),
    "prop_zero": (
        "{what}: {part} should be all zeros.",
        "{what}：{part} 应全为零。"),
    "prop_falls": (
        "{what}: the loss does not fall (first {first:.3g}, last {last:.3g}).",
        "{what}：损失没有下降（最初 {first:.3g}，最后 {last:.3g}）。"),
    "prop_accuracy": (
        "{what}: accuracy on held-out data is {got} ({right} of {total} right); at least {expected:.0%} is "
        "expected.",
        "{what}：在留出数据上的准确率是 {got}（{total} 个中对了 {right} 个）；应至少为 {expected:.0%}。"),
    # --- lesson02 (02_neurons): a network's weights judged by what it computes ---------------------
    "prop_two_layers": (
        "{what} has shapes {got}; expected `(W1, b1, W2, b2)` with `W1` `(H, {n_in})`, `b1` `(H,)`, "
        "`W2` `({n_out}, H)` and `b2` `({n_out},)` for one hidden size `H` of at least 2.",
        "{what} 的形状是 {got}；应为 `(W1, b1, W2, b2)`，其中 `W1` 为 `(H, {n_in})`、`b1` 为 `(H,)`、"
        "`W2` 为 `({n_out}, H)`、`b2` 为 `({n_out},)`，隐藏层大小 `H` 至少为 2。"),
    "prop_below": (
        "{what}: at the point {point} the network gives {got:.4g}, which should be above {threshold:g}.",
        "{what}：在点 {point} 处网络输出 {got:.4g}，应大于 {threshold:g}。"),
    "prop_above": (
        "{what}: at the point {point} the network gives {got:.4g}, which should be below {threshold:g}.",
        "{what}：在点 {point} 处网络输出 {got:.4g}，应小于 {threshold:g}。"),
    # --- end of lesson02's block ---------------------------------------------------------------------
    # --- lesson07 (07_training): train_mlp's batches, judged by its losses ---------------------------
    "prop_not_reshuffled": (
        "{what}: with `lr = 0` the weights never change, so an epoch's mean batch loss can change only when "
        "its batches do; every epoch gave the same loss: shuffle the examples again at the start of every epoch, "
        "with `rng`.",
        "{what}：`lr = 0` 时权重始终不变，所以一轮的小批量平均损失只会随小批量的变化而变化；每一轮的损失都相同："
        "请在每一轮开始时用 `rng` 重新打乱样本。"),
    "prop_last_batch": (
        "{what}: here `batch_size` is larger than the number of examples, so the only batch is the last, smaller "
        "one, and the loss should fall; it did not (or was not a finite number): train on the last batch too, "
        "even when it holds fewer than `batch_size` examples.",
        "{what}：这里 `batch_size` 大于样本数，所以唯一的批量就是最后那个较小的批量，损失应当下降；"
        "但它没有下降（或不是有限的数）：最后一批即使少于 `batch_size` 个样本，也要用来训练。"),
    "prop_epoch_means": (
        "{what}: with `lr = 0` the weights stay as initialised and every batch here has the same size, so each of "
        "the {epochs} epochs' losses should be that network's mean loss over all the examples; it is not: "
        "`losses[e]` is the mean (not the sum) of the mini-batch losses of epoch e, for every epoch, and every "
        "example is in one batch of each epoch.",
        "{what}：`lr = 0` 时权重保持初始值，而且这里每个小批量大小相同，所以 {epochs} 轮中每一轮的损失都应等于"
        "该网络在全部样本上的平均损失；但结果不是这样：`losses[e]` 是第 e 轮各小批量损失的平均值（不是总和），"
        "每一轮都要算，而且每个样本在每一轮中都恰好属于一个小批量。"),
    # --- end of lesson07's block ---------------------------------------------------------------------
    "prop_not_data": (
        "{what} is not the expected kind of result: {why}.",
        "{what} 不是预期类型的结果：{why}。"),
    "ok_properties": (
        "✓ {fn}{call}: {properties}.",
        "✓ {fn}{call}：{properties}。"),
    "changed_by_ulps": (
        "{fn} left its argument {arg} changed in {count} of its {size} entries (by up to {ulps} ulp): after "
        "perturbing an entry, put back exactly the value you saved (`x[i] = old`), not `x[i] + h - h`.",
        "{fn} 使参数 {arg} 的 {size} 个元素中有 {count} 个被改变（最多相差 {ulps} 个最小精度单位）：扰动一个元素之后，"
        "请放回保存的原值（`x[i] = old`），而不是 `x[i] + h - h`。"),
    "ok_restored": (
        "✓ {fn} leaves its input exactly as it was.",
        "✓ {fn} 没有改变它的输入。"),
    # --- end of issue 9's block -------------------------------------------------------------------
    # --- by-hand questions (autograder/by_hand.py) and plots (autograder/plotting.py) ---------
    # Kept in one block for the lesson authors; the questions' own steps live in by_hand.py.
    "by_hand_todo": (
        "Work out {expression} on paper, then replace `...` with your answer and run this cell again.",
        "先在纸上算出 {expression}，再把 `...` 换成你的答案，然后重新运行本单元格。"),
    "by_hand_not_a_number": (
        "{expression}: type a number such as 0.25 (or a list of numbers), not {got}.",
        "{expression}：请输入一个数（例如 0.25）或一列数，而不是 {got}。"),
    "by_hand_not_a_name": (  # 06_backprop: a question whose answer names a quantity
        "{expression}: type the quantity's name as a string, such as \"{example}\", not {got}.",
        "{expression}：请把该量的名字写成字符串，例如 “{example}”，而不是 {got}。"),
    "by_hand_wrong_count": (
        "{expression} is {expected} numbers; you typed {got}.",
        "{expression} 是 {expected} 个数，你输入了 {got} 个。"),
    "by_hand_right": ("✓ {expression} = {answer}: right.", "✓ {expression} = {answer}：正确。"),
    "by_hand_wrong": ("✗ {expression} is not {answer}.", "✗ {expression} 不等于 {answer}。"),
    "by_hand_redo": (" Redo step {number}: {step}", "请重做第 {number} 步：{step}"),
    "by_hand_steps": (" Go through the steps again: {steps}", "请把各步重新算一遍：{steps}"),
    "plot_axis_z": ("z (input)", "z（输入）"),
    "plot_axis_value": ("value", "取值"),
    "plot_modifies_input": ("{fn} modifies its input z: its test fails until it stops",
                            "{fn} 修改了输入 z：不改正，它的测试就通不过"),
    "plot_raised": ("{fn}(z) raised {error}", "{fn}(z) 抛出了 {error}"),
    "plot_not_numbers": ("{fn}(z) did not return numbers shaped like z",
                         "{fn}(z) 返回的不是与 z 形状相同的数值"),
    # Functions from earlier assignments (autograder.earlier.bring).
    "bring_ok": ("✓ {fn} (from your {assignment} notebook) passes its own tests there.",
                 "✓ {fn}（来自你的 {assignment} notebook）在那里通过了它自己的测试。"),
    "bring_fails": (
        "Note: {fn} (from your {assignment} notebook) fails its own tests there: until you fix it there, "
        "checks below that use it fail; grading uses the course's own {fn}, so this lesson's points are your own.",
        "注意：{fn}（来自你的 {assignment} notebook）在那里没有通过它自己的测试。在你把它改好之前，"
        "下面用到它的检查都会失败；评分时使用课程自己的 {fn}，所以本课的分数只取决于你在本课写的代码。"),
    "bring_unwritten": (
        "Note: {fn} (from your {assignment} notebook) is not written yet: until you write it there, "
        "checks below that use it fail; grading uses the course's own {fn}, so this lesson's points are your own.",
        "注意：{fn}（来自你的 {assignment} notebook）还没有写。在你把它写好之前，"
        "下面用到它的检查都会失败；评分时使用课程自己的 {fn}，所以本课的分数只取决于你在本课写的代码。"),
    "bring_no_notebook": (
        "This notebook uses functions from your {assignment} notebook, but it is not where it should be. "
        "Looked for: {places}. Put the {assignment} folder beside this notebook's folder and run the setup cell again.",
        "本 notebook 要用到你的 {assignment} notebook 中的函数，但在应有的位置没有找到它。"
        "查找过：{places}。请把 {assignment} 文件夹放在本 notebook 所在文件夹的旁边，然后重新运行初始化单元格。"),
    "bring_unknown": ("{assignment} has no graded function called {names}.",
                      "{assignment} 中没有名为 {names} 的评分函数。"),
    "bring_undefined": (
        "Your {assignment} notebook does not define {names}: its answer cell is missing or broken there.",
        "你的 {assignment} notebook 没有定义 {names}：那里的答案单元格缺失或无法运行。"),
    "uses_failed_earlier": (
        " {fn} uses {dep} from your {assignment} notebook, which fails its own tests there: fix that first.",
        "{fn} 用到了你的 {assignment} notebook 中的 {dep}，而它在那里没有通过自己的测试：请先修正它。"),
}


def say(key: str, **fields) -> Text:
    """The catalogue sentence ``key`` with ``fields`` filled in, in both languages."""
    en, zh = CATALOG[key]

    def fill(template: str, language: str) -> str:
        values = {k: v.render(language) if isinstance(v, Text) else v for k, v in fields.items()}
        return template.format(**values)

    return Text(fill(en, "en"), fill(zh, "zh"), key)
