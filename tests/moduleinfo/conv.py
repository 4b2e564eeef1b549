"""Module database entries of the conv family: convolutions, pooling, padding, upsampling,
fold/unfold and pixel shuffle."""

from __future__ import annotations

from ..opinfo.nn_conv import _unpool_idx
from . import ModuleCase, ModuleInfo


def _x(*shape):
    return lambda rng: (rng.standard_normal(shape),)


def _unpool_in(shape, k):
    """Pooled values and distinct indices for a max unpool with kernel = stride = ``k``."""
    return lambda rng: (rng.standard_normal(shape), _unpool_idx(shape, k, rng))


MODULES = [
    ModuleInfo("Conv1d", [
        ModuleCase((3, 4, 3), inputs=_x(2, 3, 9), desc="basic"),
        ModuleCase((4, 6, 3), {"stride": 2, "padding": 1, "groups": 2, "bias": False},
                   inputs=_x(2, 4, 10), desc="strided_groups_nobias"),
        ModuleCase((3, 4, 4), {"padding": "same", "dilation": 2}, inputs=_x(2, 3, 9),
                   desc="same"),
        ModuleCase((3, 4, 3), {"padding": 2, "padding_mode": "reflect"}, inputs=_x(2, 3, 9),
                   desc="reflect"),
        ModuleCase((3, 4, 3), {"padding": 1, "padding_mode": "circular"}, inputs=_x(3, 9),
                   desc="circular_unbatched"),
        ModuleCase((3, 4, 3), inputs=_x(2, 3, 9), dtype="float64", desc="f64"),
    ]),
    ModuleInfo("Conv2d", [
        ModuleCase((3, 4, 3), inputs=_x(2, 3, 7, 6), desc="basic"),
        ModuleCase((1, 6, 5), inputs=_x(4, 1, 12, 12), desc="lenet_conv1"),
        ModuleCase((4, 6, (3, 2)), {"stride": (2, 1), "padding": (1, 0), "groups": 2,
                                    "dilation": (1, 2), "bias": False},
                   inputs=_x(2, 4, 9, 8), desc="all_options"),
        ModuleCase((3, 4, 3), {"padding": "same"}, inputs=_x(2, 3, 6, 6), desc="same"),
        ModuleCase((3, 4, 3), {"padding": "valid"}, inputs=_x(2, 3, 6, 6), desc="valid"),
        ModuleCase((3, 4, 3), {"padding": 1, "padding_mode": "reflect"},
                   inputs=_x(2, 3, 6, 6), desc="reflect"),
        ModuleCase((3, 4, 3), {"padding": (1, 2), "padding_mode": "replicate"},
                   inputs=_x(2, 3, 6, 6), desc="replicate"),
        ModuleCase((3, 4, 3), {"padding": 1, "padding_mode": "circular"},
                   inputs=_x(3, 6, 6), desc="circular_unbatched"),
        ModuleCase((3, 3, 3), {"groups": 3}, inputs=_x(2, 3, 6, 6), desc="depthwise"),
        ModuleCase((3, 4, 3), inputs=_x(2, 3, 7, 6), dtype="float64", desc="f64"),
        ModuleCase((3, 4, 3), inputs=_x(2, 3, 7, 6), dtype="bfloat16", desc="bf16",
                   atol=3e-2, rtol=3e-2),
    ]),
    ModuleInfo("ConvTranspose1d", [
        ModuleCase((3, 4, 3), inputs=_x(2, 3, 6), desc="basic"),
        ModuleCase((4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2,
                               "dilation": 2, "bias": False}, inputs=_x(2, 4, 5),
                   desc="all_options"),
        ModuleCase((3, 4, 3), {"stride": 2}, inputs=_x(2, 3, 5),
                   forward_kwargs={"output_size": [12]}, desc="output_size"),
    ]),
    ModuleInfo("ConvTranspose2d", [
        ModuleCase((3, 4, 3), inputs=_x(2, 3, 4, 5), desc="basic"),
        ModuleCase((4, 6, (3, 2)), {"stride": (2, 3), "padding": (1, 0),
                                    "output_padding": (1, 2), "groups": 2, "dilation": (2, 1)},
                   inputs=_x(2, 4, 4, 3), desc="all_options"),
        ModuleCase((3, 4, 3), {"stride": 2}, inputs=_x(2, 3, 4, 4),
                   forward_kwargs={"output_size": (2, 4, 10, 9)}, desc="output_size"),
        ModuleCase((3, 4, 3), inputs=_x(3, 4, 5), desc="unbatched"),
        ModuleCase((3, 4, 3), inputs=_x(2, 3, 4, 5), dtype="float64", desc="f64"),
    ]),
    ModuleInfo("Conv3d", [
        ModuleCase((2, 3, 3), inputs=_x(2, 2, 5, 4, 5), desc="basic"),
        ModuleCase((4, 6, (3, 2, 1)), {"stride": (2, 1, 1), "padding": (1, 0, 1), "groups": 2,
                                       "dilation": (1, 2, 1), "bias": False},
                   inputs=_x(2, 4, 5, 6, 3), desc="all_options"),
        ModuleCase((2, 3, 3), {"padding": "same"}, inputs=_x(2, 4, 4, 4), desc="same_unbatched"),
        ModuleCase((2, 3, 3), {"padding": 1, "padding_mode": "replicate"},
                   inputs=_x(1, 2, 4, 4, 4), desc="replicate"),
        ModuleCase((2, 3, 2), inputs=_x(1, 2, 4, 3, 4), dtype="float64", desc="f64"),
    ]),
    ModuleInfo("ConvTranspose3d", [
        ModuleCase((2, 3, 3), inputs=_x(2, 2, 3, 4, 3), desc="basic"),
        ModuleCase((4, 6, (3, 2, 2)), {"stride": (2, 1, 2), "padding": (1, 0, 0),
                                       "output_padding": (1, 0, 1), "groups": 2,
                                       "dilation": (1, 2, 1)},
                   inputs=_x(2, 4, 3, 3, 2), desc="all_options"),
        ModuleCase((2, 3, 3), {"stride": 2}, inputs=_x(2, 2, 3, 3),
                   forward_kwargs={"output_size": (6, 8, 7)}, desc="output_size_unbatched"),
    ]),
    ModuleInfo("MaxPool1d", [
        ModuleCase((3,), inputs=_x(2, 3, 10), desc="basic"),
        ModuleCase((3, 2, 1, 2, True, True), inputs=_x(2, 3, 10), desc="indices_ceil"),
    ]),
    ModuleInfo("MaxPool2d", [
        ModuleCase((2,), inputs=_x(2, 3, 8, 8), desc="basic"),
        ModuleCase((3,), {"stride": 2, "padding": 1, "ceil_mode": True},
                   inputs=_x(2, 3, 9, 8), desc="ceil"),
        ModuleCase(((2, 3),), {"dilation": (2, 1), "return_indices": True},
                   inputs=_x(3, 8, 8), desc="indices_unbatched"),
    ]),
    ModuleInfo("MaxPool3d", [
        ModuleCase((2,), inputs=_x(2, 2, 4, 4, 4), desc="basic"),
        ModuleCase((3,), {"stride": 2, "padding": 1, "ceil_mode": True},
                   inputs=_x(1, 2, 5, 6, 5), desc="ceil"),
        ModuleCase(((2, 3, 1),), {"dilation": (2, 1, 1), "return_indices": True},
                   inputs=_x(2, 5, 6, 3), desc="indices_unbatched"),
    ]),
    ModuleInfo("MaxUnpool1d", [
        ModuleCase((2,), inputs=_unpool_in((2, 3, 4), (2,)), desc="basic"),
        ModuleCase((3, None, 1), inputs=_unpool_in((3, 4), (3,)),
                   forward_kwargs={"output_size": [11]}, desc="unbatched_output_size"),
    ]),
    ModuleInfo("MaxUnpool2d", [
        ModuleCase((2,), inputs=_unpool_in((2, 3, 3, 2), (2, 2)), desc="basic"),
        ModuleCase(((3, 2), None, 0), inputs=_unpool_in((3, 2, 3), (3, 2)),
                   forward_kwargs={"output_size": [7, 7]}, desc="unbatched_output_size"),
    ]),
    ModuleInfo("MaxUnpool3d", [
        ModuleCase((2,), inputs=_unpool_in((1, 2, 2, 3, 2), (2, 2, 2)), desc="basic"),
        ModuleCase(((2, 1, 3),), inputs=_unpool_in((2, 2, 3, 2), (2, 1, 3)),
                   forward_kwargs={"output_size": (1, 2, 5, 3, 7)}, desc="output_size"),
    ]),
    ModuleInfo("AvgPool1d", [
        ModuleCase((3,), inputs=_x(2, 3, 10), desc="basic"),
        ModuleCase((3, 2, 1, True, False), inputs=_x(2, 3, 10), desc="all_options"),
    ]),
    ModuleInfo("AvgPool2d", [
        ModuleCase((2,), inputs=_x(2, 3, 8, 8), desc="basic"),
        ModuleCase((3, 2, 1, True, False), inputs=_x(2, 3, 9, 8), desc="ceil_nopad"),
        ModuleCase(((2, 3),), {"divisor_override": 2}, inputs=_x(3, 8, 9), desc="divisor"),
    ]),
    ModuleInfo("AvgPool3d", [
        ModuleCase((2,), inputs=_x(2, 2, 4, 4, 4), desc="basic"),
        ModuleCase((3, 2, 1, True, False), inputs=_x(1, 2, 5, 6, 5), desc="ceil_nopad"),
        ModuleCase(((2, 3, 1),), {"divisor_override": 2}, inputs=_x(2, 4, 6, 3),
                   desc="divisor_unbatched"),
    ]),
    ModuleInfo("AdaptiveAvgPool1d", [ModuleCase((4,), inputs=_x(2, 3, 10), desc="basic")]),
    ModuleInfo("AdaptiveAvgPool2d", [
        ModuleCase(((3, 4),), inputs=_x(2, 3, 7, 9), desc="basic"),
        ModuleCase((1,), inputs=_x(2, 3, 7, 9), desc="global"),
        ModuleCase(((None, 2),), inputs=_x(3, 7, 9), desc="none_unbatched"),
    ]),
    ModuleInfo("AdaptiveAvgPool3d", [
        ModuleCase(((2, 3, 2),), inputs=_x(2, 2, 5, 7, 4), desc="basic"),
        ModuleCase((1,), inputs=_x(2, 2, 4, 4, 4), desc="global"),
        ModuleCase(((None, 2, 3),), inputs=_x(2, 5, 4, 6), desc="none_unbatched"),
    ]),
    ModuleInfo("AdaptiveMaxPool3d", [
        ModuleCase(((2, 3, 2),), inputs=_x(2, 2, 5, 7, 4), desc="basic"),
        ModuleCase((2, True), inputs=_x(2, 5, 4, 6), desc="indices_unbatched"),
    ]),
    ModuleInfo("AdaptiveMaxPool1d", [
        ModuleCase((4,), inputs=_x(2, 3, 10), desc="basic"),
        ModuleCase((3, True), inputs=_x(2, 3, 10), desc="indices"),
    ]),
    ModuleInfo("AdaptiveMaxPool2d", [
        ModuleCase(((3, 4),), inputs=_x(2, 3, 7, 9), desc="basic"),
        ModuleCase((2, True), inputs=_x(3, 7, 9), desc="indices_unbatched"),
    ]),
    ModuleInfo("ZeroPad1d", [ModuleCase(((1, 2),), inputs=_x(2, 3, 4), desc="basic")]),
    ModuleInfo("ZeroPad2d", [
        ModuleCase((2,), inputs=_x(2, 3, 4, 4), desc="int"),
        ModuleCase(((1, 0, 2, -1),), inputs=_x(2, 3, 4, 4), desc="tuple_negative"),
    ]),
    ModuleInfo("ConstantPad1d", [ModuleCase((2, 1.5), inputs=_x(2, 3, 4), desc="basic")]),
    ModuleInfo("ConstantPad2d", [ModuleCase(((1, 2, 0, 1), -2.0), inputs=_x(3, 4, 4),
                                            desc="basic")]),
    ModuleInfo("ConstantPad3d", [ModuleCase((1, 0.5), inputs=_x(1, 2, 3, 3, 3), desc="basic")]),
    ModuleInfo("ReflectionPad1d", [ModuleCase(((2, 1),), inputs=_x(2, 3, 5), desc="basic")]),
    ModuleInfo("ReflectionPad2d", [
        ModuleCase((2,), inputs=_x(2, 3, 4, 5), desc="int"),
        ModuleCase(((1, 0, 2, 3),), inputs=_x(3, 4, 5), desc="tuple_unbatched"),
    ]),
    ModuleInfo("ReflectionPad3d", [ModuleCase((1,), inputs=_x(1, 2, 3, 3, 3), desc="basic")]),
    ModuleInfo("ReplicationPad1d", [ModuleCase(((2, 1),), inputs=_x(2, 3, 5), desc="basic")]),
    ModuleInfo("ReplicationPad2d", [ModuleCase(((1, 0, 2, 3),), inputs=_x(2, 3, 4, 5),
                                               desc="basic")]),
    ModuleInfo("ReplicationPad3d", [ModuleCase((1,), inputs=_x(1, 2, 3, 3, 3), desc="basic")]),
    ModuleInfo("CircularPad1d", [ModuleCase(((2, 1),), inputs=_x(2, 3, 5), desc="basic")]),
    ModuleInfo("CircularPad2d", [ModuleCase(((1, 0, 2, 3),), inputs=_x(2, 3, 4, 5),
                                            desc="basic")]),
    ModuleInfo("Upsample", [
        ModuleCase(kwargs={"scale_factor": 2}, inputs=_x(2, 3, 4, 5), desc="nearest"),
        ModuleCase(kwargs={"size": (7, 9), "mode": "bilinear"}, inputs=_x(2, 3, 4, 5),
                   desc="bilinear_size"),
        ModuleCase(kwargs={"scale_factor": 1.5, "mode": "bicubic", "align_corners": True},
                   inputs=_x(2, 3, 4, 5), desc="bicubic"),
        ModuleCase(kwargs={"scale_factor": 3, "mode": "linear"}, inputs=_x(2, 3, 4),
                   desc="linear"),
    ]),
    ModuleInfo("UpsamplingNearest2d", [ModuleCase(kwargs={"scale_factor": 2},
                                                  inputs=_x(2, 3, 4, 5), desc="basic")]),
    ModuleInfo("UpsamplingBilinear2d", [ModuleCase(kwargs={"size": (6, 7)},
                                                   inputs=_x(2, 3, 4, 5), desc="basic")]),
    ModuleInfo("Unfold", [
        ModuleCase(((2, 3),), {"dilation": 1, "padding": 1, "stride": 2},
                   inputs=_x(2, 3, 6, 7), desc="basic"),
    ]),
    ModuleInfo("Fold", [
        ModuleCase(((5, 6), (2, 3)), {"padding": 1, "stride": (2, 1)},
                   inputs=_x(2, 12, 18), desc="basic"),
    ]),
    ModuleInfo("PixelShuffle", [ModuleCase((2,), inputs=_x(2, 8, 3, 4), desc="basic")]),
    ModuleInfo("PixelUnshuffle", [ModuleCase((2,), inputs=_x(2, 2, 4, 6), desc="basic")]),
]
