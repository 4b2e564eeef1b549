"""Module database entries of the normalization layers (running statistics are compared after
a training forward by the driver)."""

from __future__ import annotations

from . import ModuleCase, ModuleInfo


def _x(*shape):
    return lambda rng: (rng.standard_normal(shape) * 2 + 1,)


MODULES = [
    ModuleInfo("BatchNorm1d", [
        ModuleCase((3,), inputs=_x(8, 3), desc="2d"),
        ModuleCase((3,), inputs=_x(4, 3, 5), desc="3d"),
        ModuleCase((3,), {"momentum": None}, inputs=_x(8, 3), desc="cumulative"),
        ModuleCase((3,), {"affine": False}, inputs=_x(8, 3), desc="no_affine"),
        ModuleCase((3,), {"track_running_stats": False}, inputs=_x(8, 3), desc="no_stats"),
        ModuleCase((3,), {"bias": False}, inputs=_x(8, 3), desc="no_bias"),
        ModuleCase((3,), inputs=_x(8, 3), dtype="float64", desc="f64"),
    ]),
    ModuleInfo("BatchNorm2d", [
        ModuleCase((3,), inputs=_x(2, 3, 4, 4), desc="default"),
        ModuleCase((3,), {"eps": 1e-3, "momentum": 0.5}, inputs=_x(2, 3, 4, 4), desc="opts"),
    ]),
    ModuleInfo("BatchNorm3d", [ModuleCase((2,), inputs=_x(2, 2, 2, 3, 2))]),
    ModuleInfo("InstanceNorm1d", [
        ModuleCase((3,), inputs=_x(2, 3, 5), desc="default"),
        ModuleCase((3,), {"affine": True, "track_running_stats": True}, inputs=_x(2, 3, 5),
                   desc="affine_stats"),
        ModuleCase((3,), {"affine": True}, inputs=_x(3, 5), desc="unbatched"),
    ]),
    ModuleInfo("InstanceNorm2d", [ModuleCase((3,), {"affine": True},
                                             inputs=_x(2, 3, 4, 4))]),
    ModuleInfo("InstanceNorm3d", [ModuleCase((2,), inputs=_x(2, 2, 3, 2, 2))]),
    ModuleInfo("LayerNorm", [
        ModuleCase((5,), inputs=_x(2, 3, 5), desc="default"),
        ModuleCase(([3, 5],), inputs=_x(2, 3, 5), desc="2d_shape"),
        ModuleCase((5,), {"elementwise_affine": False}, inputs=_x(4, 5), desc="no_affine"),
        ModuleCase((5,), {"bias": False}, inputs=_x(4, 5), desc="no_bias"),
        ModuleCase((5,), inputs=_x(4, 5), dtype="float64", desc="f64"),
    ]),
    ModuleInfo("GroupNorm", [
        ModuleCase((2, 4), inputs=_x(2, 4, 5), desc="default"),
        ModuleCase((1, 4), {"affine": False}, inputs=_x(2, 4, 3, 3), desc="no_affine"),
        ModuleCase((4, 4), inputs=_x(2, 4, 3), dtype="float64", desc="f64"),
    ]),
    ModuleInfo("RMSNorm", [
        ModuleCase((5,), inputs=_x(2, 3, 5), desc="default"),
        ModuleCase(([3, 5],), {"eps": 1e-3}, inputs=_x(2, 3, 5), desc="2d_eps"),
        ModuleCase((5,), {"elementwise_affine": False}, inputs=_x(4, 5), desc="no_affine"),
    ]),
    ModuleInfo("LocalResponseNorm", [ModuleCase((3,), inputs=_x(2, 5, 4)),
                                     ModuleCase((2,), inputs=_x(2, 5, 3, 3), desc="4d")]),
]
