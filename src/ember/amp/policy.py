"""Autocast op policies, kept as data by op name, as torch's ``autocast_mode.cpp`` keeps them.

Each device has three lists of ATen op names (torch 2.13):

- ``LOWER``: ops that run in the autocast dtype (float32 inputs are cast down);
- ``FP32``: ops that run in float32 (half inputs are cast up);
- ``PROMOTE``: ops that run in the widest floating dtype among their inputs.

Float64 and non-floating inputs are never cast. ember applies a policy at two levels: public
functions whose torch counterpart is an autocast entry point (``matmul``, ``mm``, ``index_copy``)
cast their arguments before their dtype checks, and every primitive whose name is on a list
casts its tensor inputs in ``apply()``. ``PRIM_NAMES`` maps torch's names to the ember
primitives that carry them where the two differ (ember composites built from other prims get
the output dtype torch gives through the prims they end in).
"""

from __future__ import annotations

LOWER, FP32, PROMOTE = 0, 1, 2

CPU_LOWER = (
    "conv1d", "conv2d", "conv3d", "bmm", "mm", "linalg_vecdot", "baddbmm", "addmm", "addbmm",
    "linear", "_convolution", "_convolution.deprecated", "matmul", "conv_tbc",
    "mkldnn_rnn_layer", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "prelu",
    "scaled_dot_product_attention", "_native_multi_head_attention",
)

CPU_FP32 = (
    "avg_pool3d", "binary_cross_entropy", "grid_sampler", "polar", "prod", "quantile",
    "nanquantile", "stft", "cdist", "trace", "view_as_complex", "cholesky", "cholesky_inverse",
    "cholesky_solve", "inverse", "lu_solve", "orgqr", "ormqr", "pinverse", "max_pool3d",
    "max_unpool2d", "max_unpool3d", "adaptive_avg_pool3d", "reflection_pad1d",
    "reflection_pad2d", "replication_pad1d", "replication_pad2d", "replication_pad3d",
    "mse_loss", "cosine_embedding_loss", "nll_loss", "nll_loss2d", "hinge_embedding_loss",
    "poisson_nll_loss", "smooth_l1_loss", "cross_entropy_loss", "l1_loss", "huber_loss",
    "margin_ranking_loss", "soft_margin_loss", "triplet_margin_loss", "multi_margin_loss",
    "ctc_loss", "kl_div", "multilabel_margin_loss", "binary_cross_entropy_with_logits",
    "fft_fft", "fft_ifft", "fft_fft2", "fft_ifft2", "fft_fftn", "fft_ifftn", "fft_rfft",
    "fft_irfft", "fft_rfft2", "fft_irfft2", "fft_rfftn", "fft_irfftn", "fft_hfft", "fft_ihfft",
    "linalg_cond", "linalg_matrix_rank", "linalg_solve", "linalg_cholesky", "linalg_svdvals",
    "linalg_eigvals", "linalg_eigvalsh", "linalg_inv", "linalg_householder_product",
    "linalg_tensorinv", "linalg_tensorsolve", "fake_quantize_per_tensor_affine", "geqrf",
    "_lu_with_info", "qr", "svd", "triangular_solve", "fractional_max_pool2d",
    "fractional_max_pool3d", "adaptive_max_pool3d", "multilabel_margin_loss_forward",
    "linalg_qr", "linalg_cholesky_ex", "linalg_svd", "linalg_eig", "linalg_eigh",
    "linalg_lstsq", "linalg_inv_ex",
)

CPU_PROMOTE = ("stack", "cat", "index_copy")

CUDA_LOWER = (
    "_convolution", "_convolution.deprecated", "conv1d", "conv2d", "conv3d", "conv_tbc",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "convolution", "prelu",
    "addmm", "addmv", "addr", "matmul", "einsum", "mm", "mv", "linalg_vecdot", "linear",
    "addbmm", "baddbmm", "bmm", "chain_matmul", "linalg_multi_dot", "_thnn_fused_lstm_cell",
    "_thnn_fused_gru_cell", "lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell",
    "_scaled_dot_product_flash_attention", "scaled_dot_product_attention",
)

CUDA_FP32 = (
    "acos", "asin", "cosh", "erfinv", "exp", "expm1", "log", "log10", "log2", "log1p",
    "reciprocal", "rsqrt", "sinh", "tan", "pow", "softplus", "layer_norm", "native_layer_norm",
    "group_norm", "frobenius_norm", "nuclear_norm", "cosine_similarity", "poisson_nll_loss",
    "cosine_embedding_loss", "nll_loss", "nll_loss2d", "hinge_embedding_loss", "kl_div",
    "l1_loss", "smooth_l1_loss", "huber_loss", "mse_loss", "margin_ranking_loss",
    "multilabel_margin_loss", "soft_margin_loss", "triplet_margin_loss", "multi_margin_loss",
    "binary_cross_entropy_with_logits", "dist", "pdist", "cdist", "renorm", "logsumexp",
    "upsample_nearest1d", "_upsample_nearest_exact1d", "upsample_nearest2d",
    "_upsample_nearest_exact2d", "upsample_nearest3d", "_upsample_nearest_exact3d",
    "upsample_linear1d", "upsample_bilinear2d", "_upsample_bilinear2d_aa",
    "upsample_trilinear3d", "upsample_bicubic2d", "_upsample_bicubic2d_aa",
)
# float32 unless the caller passes an explicit dtype= (torch's fp32_set_opt_dtype)
CUDA_FP32_SET_OPT_DTYPE = (
    "prod", "softmax", "log_softmax", "cumprod", "cumsum", "linalg_vector_norm",
    "linalg_matrix_norm", "sum",
)
CUDA_PROMOTE = (
    "addcdiv", "addcmul", "atan2", "bilinear", "cross", "dot", "grid_sampler", "index_put",
    "scatter_add", "tensordot",
)
CUDA_BANNED = ("binary_cross_entropy",)

DEFAULT_DTYPE_NAME = {"cpu": "bfloat16", "cuda": "float16"}

# torch op name -> the ember primitive(s) carrying it, where the names differ.
PRIM_NAMES = {
    "conv1d": ("convolution",), "conv2d": ("convolution",), "conv3d": ("convolution",),
    "conv_transpose1d": ("convolution",), "conv_transpose2d": ("convolution",),
    "conv_transpose3d": ("convolution",), "_convolution": ("convolution", "_convolution"),
    "prod": ("prod", "prod_dim"),
    "prelu": ("prelu", "_prelu_kernel"),
    "scaled_dot_product_attention": (
        "scaled_dot_product_attention", "_scaled_dot_product_attention_math",
        "_scaled_dot_product_flash_attention_for_cpu",
    ),
    "cross_entropy_loss": ("cross_entropy_loss", "cross_entropy"),
    "cholesky": ("cholesky", "linalg_cholesky"), "inverse": ("inverse", "linalg_inv"),
    "qr": ("qr", "linalg_qr"), "svd": ("svd", "linalg_svd"),
    "nll_loss2d": ("nll_loss2d", "nll_loss2d_forward"),
    "nll_loss": ("nll_loss", "nll_loss_forward", "nll_loss_nd"),
}


def prim_policy(lower: tuple, fp32: tuple, promote: tuple) -> dict:
    """ember primitive name -> LOWER / FP32 / PROMOTE for one device's lists."""
    out: dict = {}
    for names, kind in ((lower, LOWER), (fp32, FP32), (promote, PROMOTE)):
        for name in names:
            for prim in PRIM_NAMES.get(name, (name,)):
                out[prim] = kind
    return out


# Autocast entry points handled by ember's public functions (before their dtype checks; not
# for out= or in-place calls, as in torch): their prims are left alone in apply(), so the
# gradient formulas and in-place forms that reuse these prims are not cast again.
PUBLIC_ENTRY = frozenset((
    "mm", "bmm", "matmul", "addmm", "baddbmm", "addbmm", "linalg_vecdot", "index_copy",
))

CPU_POLICY = {k: v for k, v in prim_policy(CPU_LOWER, CPU_FP32, CPU_PROMOTE).items()
              if k not in PUBLIC_ENTRY}
CUDA_POLICY = prim_policy(CUDA_LOWER, CUDA_FP32 + CUDA_FP32_SET_OPT_DTYPE, CUDA_PROMOTE)
