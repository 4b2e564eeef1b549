"""Module database entries of the activation and dropout layers (ReLU ... Softmax2d, PReLU,
Dropout*: the dropout cases draw random masks, seeded alike in both libraries)."""

from __future__ import annotations

from . import ModuleCase, ModuleInfo


def _x(*shape, scale=3.0):
    return lambda rng: (rng.standard_normal(shape) * scale,)


def _simple(name, *cases_kwargs, shape=(3, 4), dtypes=("float32",)):
    """One case per (args, kwargs) and dtype; in-place layers get inputs that do not require
    grad (torch refuses in-place ops on such leaves)."""
    cases = []
    for i, (args, kwargs) in enumerate(cases_kwargs or [((), {})]):
        inplace = kwargs.get("inplace", False) or True in args
        for dt in dtypes:
            cases.append(ModuleCase(args, kwargs, inputs=_x(*shape), dtype=dt,
                                    desc=f"{i}_{dt}", grad=not inplace))
    return ModuleInfo(name, cases)


F64 = ("float32", "float64")

MODULES = [
    _simple("ReLU", ((), {}), ((), {"inplace": True}), dtypes=F64),
    _simple("ReLU6", ((), {}), ((True,), {})),
    _simple("LeakyReLU", ((), {}), ((0.2,), {}), ((0.1, True), {})),
    _simple("ELU", ((), {}), ((0.5,), {}), ((1.0, True), {}), dtypes=F64),
    _simple("CELU", ((), {}), ((2.0,), {"inplace": True})),
    _simple("SELU", ((), {}), ((True,), {})),
    _simple("GELU", ((), {}), (("tanh",), {}), dtypes=F64),
    _simple("SiLU", ((), {}), ((True,), {})),
    _simple("Mish", ((), {}), ((True,), {})),
    _simple("Sigmoid"),
    _simple("Tanh"),
    _simple("Hardtanh", ((), {}), ((-2.0, 0.5), {}), ((), {"inplace": True})),
    _simple("Hardsigmoid", ((), {}), ((True,), {})),
    _simple("Hardswish", ((), {}), ((True,), {})),
    _simple("Softplus", ((), {}), ((2.0, 1.0), {})),
    _simple("Softsign"),
    _simple("Tanhshrink"),
    _simple("Softshrink", ((), {}), ((1.0,), {})),
    _simple("Hardshrink", ((), {}), ((1.0,), {})),
    _simple("Threshold", ((0.1, 20.0), {}), ((0.5, -1.0, True), {})),
    _simple("LogSigmoid"),
    _simple("GLU", ((), {}), ((0,), {}), shape=(4, 6)),
    _simple("Softmax", ((1,), {}), ((0,), {}), dtypes=F64),
    _simple("LogSoftmax", ((1,), {}), ((-1,), {}), dtypes=F64),
    _simple("Softmin", ((1,), {})),
    ModuleInfo("Softmax2d", [
        ModuleCase(inputs=_x(2, 3, 4, 4), desc="4d"),
        ModuleCase(inputs=_x(3, 4, 4), desc="3d"),
    ]),
    ModuleInfo("PReLU", [
        ModuleCase(inputs=_x(2, 3, 4), desc="shared"),
        ModuleCase((3,), inputs=_x(2, 3, 4), desc="per_channel"),
        ModuleCase((3, 0.1), inputs=_x(2, 3), desc="init"),
        ModuleCase((4,), inputs=_x(2, 4, 3, 3), dtype="float64", desc="f64"),
    ]),
    ModuleInfo("PairwiseDistance", [
        ModuleCase(inputs=lambda rng: (rng.standard_normal((4, 5)), rng.standard_normal((4, 5)))),
        ModuleCase((1.0, 1e-3, True), inputs=lambda rng: (rng.standard_normal((4, 5)),
                                                          rng.standard_normal((5,))),
                   desc="opts"),
    ]),
    ModuleInfo("CosineSimilarity", [
        ModuleCase(inputs=lambda rng: (rng.standard_normal((4, 5)), rng.standard_normal((4, 5)))),
        ModuleCase((0, 1e-3), inputs=lambda rng: (rng.standard_normal((4, 5)),
                                                  rng.standard_normal((4, 5))), desc="dim0"),
    ]),
    ModuleInfo("RReLU", [
        ModuleCase(inputs=_x(4, 5), random=True, desc="default"),
        ModuleCase((0.1, 0.3), inputs=_x(4, 5), random=True, dtype="float64", desc="f64"),
        ModuleCase((0.2, 0.25, True), inputs=_x(4, 5), random=True, grad=False,
                   desc="inplace"),
    ]),
    ModuleInfo("Dropout", [
        ModuleCase(inputs=_x(4, 5), random=True, desc="default"),
        ModuleCase((0.2,), inputs=_x(4, 5), random=True, dtype="float64", desc="f64"),
        ModuleCase((0.3, True), inputs=_x(4, 5), random=True, grad=False, desc="inplace"),
    ]),
    ModuleInfo("Dropout1d", [ModuleCase((0.4,), inputs=_x(2, 3, 5), random=True)]),
    ModuleInfo("Dropout2d", [ModuleCase((0.4,), inputs=_x(2, 3, 2, 2), random=True)]),
    ModuleInfo("Dropout3d", [ModuleCase((0.4,), inputs=_x(2, 3, 2, 2, 1), random=True)]),
    ModuleInfo("AlphaDropout", [ModuleCase((0.3,), inputs=_x(4, 5), random=True)]),
    ModuleInfo("FeatureAlphaDropout", [ModuleCase((0.3,), inputs=_x(2, 3, 4), random=True)]),
]
