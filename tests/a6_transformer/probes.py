"""Probes of a6_transformer: each builds seeded inputs, calls one part of the student's code, returns raw data.

Later parts run on trusted earlier parts: the encoder block gets a trusted multi-head attention and
nn.LayerNorm in place of the student's, and the classifier gets trusted blocks, a trusted positional
encoding and a trusted padding mask, so a wrong MultiHeadAttention costs the attention tests only.
Outputs given as functions are computed one by one, so a failing edge case costs only the tests that
read it. Every random draw happens before the first output is computed, so one failing output never
shifts the inputs of another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from autograder.probing.core import Context, DataFile, ProbeError, expect_type, named, probe
from autograder.probing.grads import backward_with
from autograder.probing.lazy import field, once
from autograder.probing.params import linear_layers, parameters_by_name, seed_parameters
from autograder.probing.tensors import expect_tensor

from .helpers import (
    VOCAB,
    TrustedEncoderBlock,
    TrustedMultiHeadAttention,
    pad_batch,
    read_sequences,
    submodule,
    train_classifier,
    trusted_causal_mask,
    trusted_padding_mask,
    trusted_positional_encoding,
)

HERE = Path(__file__).resolve().parent
TRAIN = DataFile(HERE.parents[1] / "assignments" / "a6_transformer" / "data" / "train.tsv", read_sequences)
HELDOUT = DataFile(HERE / "heldout" / "texts.txt", read_sequences, hidden=True)
PROJECTIONS = ["q_proj", "k_proj", "v_proj", "out_proj"]
MHA_PARAMETERS = [f"{projection}.{kind}" for projection in PROJECTIONS for kind in ("weight", "bias")]
ATTENTION_AXES = ("sequence", "head", "query", "feature")
SEQUENCE_AXES = ("sequence", "position", "feature")


def _lengths(ctx: Context, count: int, longest: int) -> torch.Tensor:
    """``count`` lengths in [1, longest], shuffled, with one of length one and one of ``longest``."""
    lengths = [1, longest, *[ctx.random.randint(1, longest) for _ in range(count - 2)]]
    ctx.random.shuffle(lengths)
    return torch.tensor(lengths, device=ctx.device)


def _changed_after(x: torch.Tensor, noise: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """``x`` with ``noise`` wherever ``keep`` (broadcast over the last axis) is False."""
    return torch.where(keep.unsqueeze(-1), x, noise)


# --- Scaled dot-product attention and masks (handout §2-§4) ---


@probe
def attention(ctx: Context) -> dict[str, Any]:
    """scaled_dot_product_attention with any leading axes, masks applied before the softmax, gradients."""
    sdpa = ctx.student("attention").scaled_dot_product_attention
    batch, heads, t_q, t_k = 2, 3, 4 + ctx.seed % 2, 6 + ctx.seed % 3
    d_k, d_v = 5, 7 - ctx.seed % 2  # d_v != d_k, so that q and v cannot be swapped unnoticed
    q, k, v = ctx.randn(batch, heads, t_q, d_k), ctx.randn(batch, heads, t_k, d_k), ctx.randn(batch, heads, t_k, d_v)
    mask = ctx.rand(batch, 1, t_q, t_k) < 0.6
    mask[..., 0] = True  # every query sees at least one key
    key_lengths = torch.tensor([2, t_k - 1], device=ctx.device)
    key_mask = trusted_padding_mask(key_lengths, t_k).unsqueeze(1)  # (B, 1, 1, T_k)
    real_keys = key_mask.expand(batch, heads, 1, t_k)[:, :, 0]  # (B, h, T_k): the keys that are not padding
    k_noise, v_noise = ctx.randn(batch, heads, t_k, d_k) * 5, ctx.randn(batch, heads, t_k, d_v) * 5
    upstream = ctx.randn(batch, heads, t_q, d_v)
    steps, cut = 6, 2 + ctx.seed % 3
    sequence, future = ctx.randn(steps, d_k), ctx.randn(steps, d_k) * 3
    changed = torch.cat([sequence[:cut], future[cut:]])
    causal = trusted_causal_mask(steps, ctx.device)

    def run(*args: Any, shape: tuple[int, ...]) -> torch.Tensor:
        return expect_tensor(sdpa(*args), "scaled_dot_product_attention", shape=shape)

    def gradients() -> dict[str, torch.Tensor]:
        q_, k_, v_ = (t.clone().requires_grad_(True) for t in (q, k, v))
        return backward_with(
            sdpa(q_, k_, v_, mask), upstream, {"q": q_, "k": k_, "v": v_}, "scaled_dot_product_attention"
        )

    grads = once(gradients)
    full = (batch, heads, t_q, d_v)
    return {
        "output": lambda: named(run(q, k, v, mask, shape=full), *ATTENTION_AXES),
        "output_without_mask": lambda: named(run(q, k, v, shape=full), *ATTENTION_AXES),
        "output_without_leading_axes": lambda: run(q[0, 0], k[0, 0], v[0, 0], shape=(t_q, d_v)),
        "output_of_one_key": lambda: run(q, k[..., :1, :], v[..., :1, :], shape=full),
        "output_of_one_query": lambda: run(q[..., :1, :], k, v, mask[..., :1, :], shape=(batch, heads, 1, d_v)),
        "output_of_large_scores": lambda: named(run(q * 30, k * 30, v, mask, shape=full), *ATTENTION_AXES),
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in ("q", "k", "v")},
        "output_with_padding": lambda: named(run(q, k, v, key_mask, shape=full), *ATTENTION_AXES),
        "output_with_padded_keys_changed": lambda: named(
            run(q, _changed_after(k, k_noise, real_keys), _changed_after(v, v_noise, real_keys), key_mask, shape=full),
            *ATTENTION_AXES,
        ),
        "earlier_outputs": lambda: run(sequence, sequence, sequence, causal, shape=(steps, d_k))[:cut],
        "earlier_outputs_with_future_changed": lambda: run(changed, changed, changed, causal, shape=(steps, d_k))[:cut],
    }


@probe
def masks(ctx: Context) -> dict[str, Any]:
    """causal_mask (T, T) and padding_mask (B, 1, T), boolean, True where attention is allowed."""
    attention = ctx.student("attention")
    steps = 5 + ctx.seed % 3
    lengths = _lengths(ctx, 4, steps)
    one = int((lengths == 1).nonzero()[0])
    return {
        "causal_mask": lambda: named(attention.causal_mask(steps), "query", "key"),
        "causal_mask_of_one": lambda: attention.causal_mask(1),
        "padding_mask": lambda: named(attention.padding_mask(lengths), "sequence", "query", "key"),
        "padding_mask_with_max_len": lambda: attention.padding_mask(lengths, steps + 2),
        "padding_mask_of_one": lambda: attention.padding_mask(lengths[one : one + 1]),
    }


# --- Multi-head attention (handout §5) ---


def _nn_attention(ctx: Context, d_model: int, n_heads: int) -> nn.MultiheadAttention:
    """PyTorch's own multi-head attention with seeded weights and biases."""
    reference = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
    seed_parameters(ctx, reference, scale=1.0, bias_scale=0.3)
    return reference.to(ctx.device)


def _projections_of(reference: nn.MultiheadAttention) -> dict[str, torch.Tensor]:
    """nn.MultiheadAttention's weights under the handout's names: in_proj_weight is q, k, v stacked."""
    weights, biases = reference.in_proj_weight.chunk(3), reference.in_proj_bias.chunk(3)
    values = {}
    for index, projection in enumerate(PROJECTIONS[:3]):
        values[f"{projection}.weight"], values[f"{projection}.bias"] = weights[index], biases[index]
    values["out_proj.weight"], values["out_proj.bias"] = reference.out_proj.weight, reference.out_proj.bias
    return values


def load_projections(module: nn.Module, reference: nn.MultiheadAttention) -> dict[str, nn.Parameter]:
    """Copy nn.MultiheadAttention's weights into a module with q_proj, k_proj, v_proj and out_proj."""
    parameters = parameters_by_name(module, MHA_PARAMETERS)
    with torch.no_grad():
        for name, value in _projections_of(reference).items():
            if parameters[name].shape != value.shape:
                raise ProbeError(f"{name} has shape {tuple(parameters[name].shape)}, expected {tuple(value.shape)}")
            parameters[name].copy_(value)
    return parameters


@probe
def multi_head(ctx: Context) -> dict[str, Any]:
    """MultiHeadAttention with nn.MultiheadAttention's weights copied in: outputs, gradients, masks."""
    d_model, n_heads = 12, 3 + ctx.seed % 2  # d_k = 4 or 3: never the number of heads, nor the batch
    batch, t_q, t_k = 2, 3 + ctx.seed % 2, 5
    reference = _nn_attention(ctx, d_model, n_heads)
    query, key, value = ctx.randn(batch, t_q, d_model), ctx.randn(batch, t_k, d_model), ctx.randn(batch, t_k, d_model)
    key_lengths = torch.tensor([2, t_k - 1], device=ctx.device)
    mask = trusted_padding_mask(key_lengths, t_k)  # (B, 1, T_k)
    real = mask.squeeze(1)  # (B, T_k)
    key_noise, value_noise = ctx.randn(batch, t_k, d_model) * 5, ctx.randn(batch, t_k, d_model) * 5
    x = ctx.randn(batch, t_k, d_model)
    cut = 2 + ctx.seed % 2
    x_changed = torch.cat([x[:, :cut], ctx.randn(batch, t_k - cut, d_model) * 3], dim=1)
    causal = trusted_causal_mask(t_k, ctx.device)
    upstream = ctx.randn(batch, t_q, d_model)
    mine = expect_type(
        ctx.student("attention").MultiHeadAttention(d_model, n_heads), nn.Module, "MultiHeadAttention"
    ).to(ctx.device)
    found = once(lambda: parameters_by_name(mine, MHA_PARAMETERS))
    loaded = once(lambda: load_projections(mine, reference))

    def run(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, m: torch.Tensor | None = None) -> torch.Tensor:
        loaded()
        output = mine(q, k, v) if m is None else mine(q, k, v, m)
        return expect_tensor(output, "MultiHeadAttention.forward", shape=(q.shape[0], q.shape[1], d_model))

    def with_torch() -> torch.Tensor:
        """nn.MultiheadAttention: its masks say True where attention is NOT allowed."""
        cross = reference(query, key, value, key_padding_mask=~real, need_weights=False)[0]
        own = reference(x, x, x, attn_mask=~causal, need_weights=False)[0]
        return torch.cat([cross.flatten(), own.flatten()]).detach()

    def with_mine() -> torch.Tensor:
        return torch.cat([run(query, key, value, mask).flatten(), run(x, x, x, causal).flatten()]).detach()

    def gradients() -> dict[str, torch.Tensor]:
        parameters = loaded()
        q_, k_, v_ = (t.clone().requires_grad_(True) for t in (query, key, value))
        tensors = {"query": q_, "key": k_, "value": v_, **{n.replace(".", "_"): p for n, p in parameters.items()}}
        return backward_with(mine(q_, k_, v_, mask), upstream, tensors, "MultiHeadAttention.forward")

    grads = once(gradients)
    gradient_names = ["query", "key", "value", *(n.replace(".", "_") for n in MHA_PARAMETERS)]
    return {
        "parameter_shapes": lambda: [list(p.shape) for p in found().values()],
        "output": lambda: named(run(query, key, value, mask), *SEQUENCE_AXES),
        "output_without_mask": lambda: named(run(query, key, value), *SEQUENCE_AXES),
        "output_of_self_attention": lambda: named(run(x, x, x, causal & mask), *SEQUENCE_AXES),
        "output_of_one": lambda: run(query[:1], key[:1], value[:1], mask[:1]),
        "output_of_one_position": lambda: run(query[:, :1], key[:, :1], value[:, :1]),
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in gradient_names},
        "outputs_of_your_attention": with_mine,
        "outputs_of_nn_multiheadattention": with_torch,
        "output_with_padded_keys_changed": lambda: named(
            run(query, _changed_after(key, key_noise, real), _changed_after(value, value_noise, real), mask),
            *SEQUENCE_AXES,
        ),
        "earlier_outputs": lambda: named(run(x, x, x, causal)[:, :cut], *SEQUENCE_AXES),
        "earlier_outputs_with_future_changed": lambda: named(
            run(x_changed, x_changed, x_changed, causal)[:, :cut], *SEQUENCE_AXES
        ),
    }


# --- Positional encoding and LayerNorm (handout §6-§7) ---


@probe
def positions(ctx: Context) -> dict[str, Any]:
    """positional_encoding (T, D) for even and odd D, one position, and a long sequence."""
    encode = ctx.student("transformer").positional_encoding

    def run(length: int, d_model: int) -> torch.Tensor:
        return named(
            expect_tensor(encode(length, d_model), "positional_encoding", shape=(length, d_model)),
            "position",
            "dimension",
        )

    odd = 7 + 2 * (ctx.seed % 2)
    return {
        "encoding": lambda: run(6 + ctx.seed, 16),
        "encoding_of_odd_d_model": lambda: run(5, odd),
        "encoding_of_one_position": lambda: run(1, 10),
        "encoding_of_long_sequence": lambda: run(60, 32),
    }


@probe
def layer_norm(ctx: Context) -> dict[str, Any]:
    """LayerNorm with nn.LayerNorm's parameters: initial values, outputs at two eps, gradients."""
    module = ctx.student("transformer")
    d_model, batch, steps = 6 + ctx.seed % 3, 3, 4
    eps = 0.5 + 0.1 * ctx.seed  # never the default: large enough to matter for inputs of small variance
    reference = nn.LayerNorm(d_model)
    seed_parameters(ctx, reference, bias_scale=1.0)
    x = ctx.randn(batch, steps, d_model) * 3 + 5  # far from mean 0 and variance 1
    small = ctx.randn(batch, d_model) * 0.3  # variance ~0.1, comparable to eps: sqrt(var + eps) matters
    upstream = ctx.randn(batch, steps, d_model)
    mine = expect_type(module.LayerNorm(d_model), nn.Module, "LayerNorm").to(ctx.device)
    mine_eps = expect_type(module.LayerNorm(d_model, eps=eps), nn.Module, "LayerNorm").to(ctx.device)
    initial = once(lambda: {n: p.detach().clone() for n, p in parameters_by_name(mine, ["weight", "bias"]).items()})

    def loaded(target: nn.Module) -> dict[str, nn.Parameter]:
        initial()
        parameters = parameters_by_name(target, ["weight", "bias"])
        with torch.no_grad():
            for name, parameter in parameters.items():
                parameter.copy_(getattr(reference, name))
        return parameters

    def run(target: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
        loaded(target)
        return expect_tensor(target(inputs), "LayerNorm.forward", shape=tuple(inputs.shape))

    def from_state_dict(eps_: float) -> nn.Module:
        fresh = module.LayerNorm(d_model, eps=eps_).to(ctx.device)
        fresh.load_state_dict(reference.state_dict())
        return fresh

    def with_torch() -> torch.Tensor:
        torch_eps = nn.LayerNorm(d_model, eps=eps)
        torch_eps.load_state_dict(reference.state_dict())
        return torch.cat([reference(x).flatten(), torch_eps(small).flatten()]).detach()

    def with_mine() -> torch.Tensor:
        outputs = [from_state_dict(1e-5)(x), from_state_dict(eps)(small)]
        return torch.cat([expect_tensor(o, "LayerNorm.forward").flatten() for o in outputs]).detach()

    def gradients() -> dict[str, torch.Tensor]:
        parameters = loaded(mine)
        x_ = x.clone().requires_grad_(True)
        return backward_with(mine(x_), upstream, {"x": x_, **parameters}, "LayerNorm.forward")

    grads = once(gradients)
    return {
        "initial_weight": lambda: initial()["weight"],
        "initial_bias": lambda: initial()["bias"],
        "output": lambda: named(run(mine, x), *SEQUENCE_AXES),
        "output_of_one_position": lambda: run(mine, x[:1, :1]),
        "output_with_eps": lambda: named(run(mine_eps, small), "row", "feature"),
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in ("x", "weight", "bias")},
        "outputs_of_your_layernorm": with_mine,
        "outputs_of_nn_layernorm": with_torch,
    }


# --- The encoder block (handout §8) ---


def _nn_encoder_layer(ctx: Context, d_model: int, n_heads: int, d_ff: int, dropout: float) -> nn.Module:
    """PyTorch's post-norm encoder layer (norm_first=False, ReLU) with seeded weights, in evaluation mode."""
    reference = nn.TransformerEncoderLayer(d_model, n_heads, d_ff, dropout, batch_first=True, norm_first=False)
    seed_parameters(ctx, reference, scale=1.0, bias_scale=0.3)
    return reference.to(ctx.device).eval()


def _trusted_parts_from(reference: nn.Module, d_model: int, n_heads: int) -> dict[str, nn.Module]:
    """A trusted attention and two nn.LayerNorms holding the weights of an nn.TransformerEncoderLayer."""
    attention = TrustedMultiHeadAttention(d_model, n_heads)
    load_projections(attention, reference.self_attn)
    norms = {"norm1": nn.LayerNorm(d_model), "norm2": nn.LayerNorm(d_model)}
    for name, norm in norms.items():
        norm.load_state_dict(getattr(reference, name).state_dict())
    return {"attention": attention, **norms}


def install_block_parts(block: nn.Module, reference: nn.Module, d_model: int, n_heads: int) -> list[nn.Linear]:
    """Put trusted parts into the student's block and copy the reference's feed-forward weights into its
    two nn.Linear layers; returns those layers."""
    for name, part in _trusted_parts_from(reference, d_model, n_heads).items():
        submodule(block, name)
        setattr(block, name, part.to(next(reference.parameters()).device))
    first, second = linear_layers(submodule(block, "feed_forward"), 2)
    with torch.no_grad():
        for mine, theirs in ((first, reference.linear1), (second, reference.linear2)):
            if mine.weight.shape != theirs.weight.shape or mine.bias is None:
                raise ProbeError(f"feed_forward's layers should be nn.Linear {tuple(theirs.weight.shape[::-1])}")
            mine.weight.copy_(theirs.weight)
            mine.bias.copy_(theirs.bias)
    return [first, second]


BLOCK_PARAMETERS = [
    *(f"linear{i}_{kind}" for i in (1, 2) for kind in ("weight", "bias")),
    *(f"norm{i}_{kind}" for i in (1, 2) for kind in ("weight", "bias")),
    *(f"attention_{name.replace('.', '_')}" for name in MHA_PARAMETERS),
]


def _block_parameters(block: nn.Module, first: nn.Linear, second: nn.Linear) -> dict[str, torch.Tensor]:
    """The block's parameters under the names of BLOCK_PARAMETERS, once its trusted parts are installed."""
    parameters = {"linear1_weight": first.weight, "linear1_bias": first.bias}
    parameters |= {"linear2_weight": second.weight, "linear2_bias": second.bias}
    parameters |= {f"{n}_{k}": getattr(getattr(block, n), k) for n in ("norm1", "norm2") for k in ("weight", "bias")}
    attention = parameters_by_name(block.attention, MHA_PARAMETERS)
    return parameters | {f"attention_{name.replace('.', '_')}": p for name, p in attention.items()}


@probe
def encoder_block(ctx: Context) -> dict[str, Any]:
    """EncoderBlock with trusted attention and norms, in evaluation mode with dropout > 0."""
    d_model, n_heads, d_ff = 8, 2, 12 + ctx.seed
    batch, steps = 3, 4 + ctx.seed % 2
    reference = _nn_encoder_layer(ctx, d_model, n_heads, d_ff, dropout=0.3)
    x = ctx.randn(batch, steps, d_model)
    lengths = _lengths(ctx, batch, steps)
    padding = trusted_padding_mask(lengths, steps)  # (B, 1, T)
    causal = trusted_causal_mask(steps, ctx.device)
    cut = 1 + ctx.seed % 2
    x_changed = torch.cat([x[:, :cut], ctx.randn(batch, steps - cut, d_model) * 3], dim=1)
    upstream = ctx.randn(batch, steps, d_model)
    block = expect_type(
        ctx.student("transformer").EncoderBlock(d_model, n_heads, d_ff, dropout=0.3), nn.Module, "EncoderBlock"
    )
    block.to(ctx.device).eval()  # dropout > 0 must do nothing in evaluation mode
    linears = once(lambda: install_block_parts(block, reference, d_model, n_heads))

    def run(inputs: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        linears()
        output = block(inputs) if mask is None else block(inputs, mask)
        return expect_tensor(output, "EncoderBlock.forward", shape=tuple(inputs.shape))

    def with_torch() -> torch.Tensor:
        padded = reference(x, src_key_padding_mask=~padding.squeeze(1))
        own = reference(x, src_mask=~causal)
        return torch.cat([padded.flatten(), own.flatten()]).detach()

    def with_mine() -> torch.Tensor:
        return torch.cat([run(x, padding).flatten(), run(x, causal).flatten()]).detach()

    def gradients() -> dict[str, torch.Tensor]:
        x_ = x.clone().requires_grad_(True)
        tensors = {"x": x_, **_block_parameters(block, *linears())}
        return backward_with(block(x_, padding & causal), upstream, tensors, "EncoderBlock.forward")

    grads = once(gradients)
    return {
        "output": lambda: named(run(x, padding & causal), *SEQUENCE_AXES),
        "output_without_mask": lambda: named(run(x), *SEQUENCE_AXES),
        "output_of_one": lambda: run(x[:1], (padding & causal)[:1]),
        "output_of_one_position": lambda: run(x[:, :1]),
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in ["x", *BLOCK_PARAMETERS]},
        "outputs_of_your_block": with_mine,
        "outputs_of_nn_transformerencoderlayer": with_torch,
        "earlier_outputs": lambda: named(run(x, causal)[:, :cut], *SEQUENCE_AXES),
        "earlier_outputs_with_future_changed": lambda: named(run(x_changed, causal)[:, :cut], *SEQUENCE_AXES),
    }


# --- The classifier (handout §9) ---


def _trusted_module_functions(module: Any) -> None:
    """Replace the student's positional_encoding and padding_mask, where their transformer module looks
    them up, by trusted ones, so that the classifier's tests read the classifier's own code."""
    for name, trusted in (("positional_encoding", trusted_positional_encoding), ("padding_mask", trusted_padding_mask)):
        if hasattr(module, name):
            setattr(module, name, trusted)


@probe
def classifier(ctx: Context) -> dict[str, Any]:
    """TransformerClassifier with trusted blocks and seeded weights: logits, padding, gradients."""
    vocab_size, d_model, n_heads, d_ff, classes, max_len = 15 + ctx.seed, 8, 2, 12, 3, 12
    pad_id = 2 + ctx.seed % 2  # never the default 0
    lengths = _lengths(ctx, 5, 7)
    tokens = [t for t in range(vocab_size) if t != pad_id]
    picks = ctx.randint(len(tokens), 5, 7).cpu()
    sequences = [
        [tokens[i] for i in row[:length]] for row, length in zip(picks.tolist(), lengths.tolist(), strict=True)
    ]
    ids, lengths = (t.to(ctx.device) for t in pad_batch(sequences, pad_id))
    more_padding = torch.cat([ids, torch.full((len(sequences), 3), pad_id, device=ctx.device)], dim=1)
    upstream = ctx.randn(len(sequences), classes)
    module = ctx.student("transformer")
    _trusted_module_functions(module)
    model = expect_type(
        module.TransformerClassifier(
            vocab_size, d_model, n_heads, d_ff, 2, num_classes=classes, max_len=max_len, pad_id=pad_id, dropout=0.3
        ),
        nn.Module,
        "TransformerClassifier",
    )
    blocks = submodule(model, "blocks", nn.ModuleList)
    if len(blocks) != 2:
        raise ProbeError(f"TransformerClassifier(..., n_layers=2) has {len(blocks)} blocks")
    for index in range(2):
        blocks[index] = TrustedEncoderBlock(d_model, n_heads, d_ff, dropout=0.3)
    embedding, output = submodule(model, "embedding", nn.Embedding), submodule(model, "output", nn.Linear)
    padding_idx = embedding.padding_idx
    shapes = [[name, list(p.shape)] for name, p in model.named_parameters()]
    for part in (embedding, blocks[0], blocks[1], output):  # in a fixed order, whatever the registration order
        seed_parameters(ctx, part, scale=1.0, bias_scale=0.3)
    model.to(ctx.device).eval()

    def logits(ids_: torch.Tensor, lengths_: torch.Tensor) -> torch.Tensor:
        return expect_tensor(model(ids_, lengths_), "TransformerClassifier.forward", shape=(len(ids_), classes))

    def gradients() -> dict[str, torch.Tensor]:
        tensors = {"embedding_weight": embedding.weight, "output_weight": output.weight, "output_bias": output.bias}
        return backward_with(model(ids, lengths), upstream, tensors, "TransformerClassifier.forward")

    grads = once(gradients)
    longest = int(lengths.argmax())
    return {
        "padding_idx": padding_idx,
        "parameter_shapes": shapes,
        "logits": lambda: named(logits(ids, lengths), "sequence", "class"),
        "logits_of_one": lambda: logits(ids[longest : longest + 1], lengths[longest : longest + 1]),
        **{
            f"grad_{name}": field(grads, f"grad_{name}")
            for name in ("embedding_weight", "output_weight", "output_bias")
        },
        "logits_with_more_padding": lambda: named(logits(more_padding, lengths), "sequence", "class"),
    }


@probe
def heldout_predictions(ctx: Context) -> dict[str, Any]:
    """The student's TransformerClassifier trained by the handout's loop; the held-out labels stay outside."""
    sequences, labels = TRAIN.get()
    heldout, _ = HELDOUT.get()
    torch.manual_seed(ctx.seed)
    model = ctx.student("transformer").TransformerClassifier(len(VOCAB), 32, 4, 64, 2, num_classes=2, max_len=32)
    model = expect_type(model, nn.Module, "TransformerClassifier").to(ctx.device)
    train_classifier(model, sequences, labels, epochs=10, seed=ctx.seed)
    model.eval()
    ids, lengths = pad_batch(heldout)
    with torch.no_grad():
        scores = expect_tensor(model(ids.to(ctx.device), lengths.to(ctx.device)), "TransformerClassifier.forward")
    return {"predictions": scores.argmax(dim=-1)}


# --- BERT's inputs (handout §10) ---

SPECIAL = {"pad": 0, "cls": 1, "sep": 2, "mask": 3}


def _bert_batch(ctx: Context, rows: int, width: int, vocab_size: int) -> torch.Tensor:
    """[CLS] tokens [SEP] [PAD]...: ordinary ids in [4, vocab_size), lengths varying per row."""
    ids = 4 + ctx.randint(vocab_size - 4, rows, width)
    lengths = 3 + ctx.randint(width - 2, rows)  # 3 .. width: [CLS], at least one token, [SEP]
    for row, length in enumerate(lengths.tolist()):
        ids[row, 0], ids[row, length - 1], ids[row, length:] = SPECIAL["cls"], SPECIAL["sep"], SPECIAL["pad"]
    return ids


def _masked(result: Any, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """What mask_tokens returned, checked to be a pair of plain tensors of the shape of ``ids``."""
    if type(result) not in (tuple, list) or len(result) != 2:
        raise ProbeError(f"mask_tokens should return a pair (inputs, labels), got {type(result).__name__}")
    shape = tuple(ids.shape)
    return expect_tensor(result[0], "mask_tokens' inputs", shape), expect_tensor(
        result[1], "mask_tokens' labels", shape
    )


def _fraction(part: torch.Tensor, whole: torch.Tensor) -> float:
    """How many of ``whole``'s True entries ``part`` holds, as a fraction (0 for an empty ``whole``)."""
    return float(part.sum()) / max(float(whole.sum()), 1.0)


@probe
def masking(ctx: Context) -> dict[str, Any]:
    """mask_tokens with a fixed generator: exact outputs, then proportions over many tokens."""
    mask_tokens = ctx.student("bert_inputs").mask_tokens
    vocab_size = 40 + ctx.seed
    special_ids = sorted(SPECIAL.values())
    ids = _bert_batch(ctx, 4, 10, vocab_size).cpu()
    many = _bert_batch(ctx, 600, 250, 1000 + ctx.seed).cpu()

    def run(tokens: torch.Tensor, seed: int, size: int = vocab_size, **p: float) -> tuple[torch.Tensor, torch.Tensor]:
        generator = torch.Generator().manual_seed(seed)
        return _masked(mask_tokens(tokens, size, special_ids, SPECIAL["mask"], generator, **p), tokens)

    exact = once(lambda: run(ids, ctx.seed, p=0.4))
    default_p = once(lambda: run(ids, ctx.seed + 10))
    one = once(lambda: run(ids[0], ctx.seed, p=0.4))
    empty = once(lambda: run(ids[:0], ctx.seed, p=0.4))

    def statistics() -> dict[str, Any]:
        inputs, labels = run(many, 1000 + ctx.seed, size=1000 + ctx.seed)
        special = torch.isin(many, torch.tensor(special_ids))
        selected = labels != -100
        masked, kept = selected & (inputs == SPECIAL["mask"]), selected & (inputs == many)
        return {
            "proportions": torch.tensor(
                [
                    _fraction(selected & ~special, ~special),
                    _fraction(masked, selected),
                    _fraction(selected & ~masked & ~kept, selected),
                    _fraction(kept, selected),
                ],
                dtype=torch.float64,
            ),
            "special_tokens_selected": int((selected & special).sum()),
            "special_tokens_changed": int(((inputs != many) & special).sum()),
            "labels_not_the_original": int((selected & (labels != many)).sum()),
        }

    stats = once(statistics)
    return {
        "inputs": lambda: named(exact()[0], "sequence", "position"),
        "labels": lambda: named(exact()[1], "sequence", "position"),
        "inputs_with_default_p": lambda: default_p()[0],
        "labels_with_default_p": lambda: default_p()[1],
        "inputs_of_one_sequence": lambda: one()[0],
        "labels_of_one_sequence": lambda: one()[1],
        "inputs_of_no_sequence": lambda: empty()[0],
        "labels_of_no_sequence": lambda: empty()[1],
        "proportions": lambda: named(stats()["proportions"], [("selected, masked, random, kept", [4])]),
        **{
            name: field(stats, name)
            for name in ("special_tokens_selected", "special_tokens_changed", "labels_not_the_original")
        },
    }


def _pairs(result: Any, sentences: list[str]) -> list[list[int]]:
    """make_nsp_pairs' list of (A, B, label) as [index of A, index of B, label], checked on the way."""
    if type(result) is not list:
        raise ProbeError(f"make_nsp_pairs should return a list, got {type(result).__name__}")
    index = {sentence: i for i, sentence in enumerate(sentences)}
    pairs = []
    for item in result:
        if type(item) not in (tuple, list) or len(item) != 3:
            raise ProbeError("each pair should be a triple (sentence A, sentence B, label)")
        first, second, label = item
        if type(first) is not str or type(second) is not str or first not in index or second not in index:
            raise ProbeError("a pair's sentences should be sentences of the input list")
        if type(label) is not int:
            raise ProbeError(f"a pair's label should be an int, got {type(label).__name__}")
        pairs.append([index[first], index[second], label])
    return pairs


@probe
def next_sentence(ctx: Context) -> dict[str, Any]:
    """make_nsp_pairs with a fixed generator: exact pairs, edge cases, then proportions over many pairs."""
    make_pairs = ctx.student("bert_inputs").make_nsp_pairs
    count = 9 + ctx.seed

    def run(n: int, seed: int) -> list[list[int]]:
        sentences = [f"sentence {i} of {n}" for i in range(n)]
        return _pairs(make_pairs(list(sentences), torch.Generator().manual_seed(seed)), sentences)

    def statistics() -> dict[str, Any]:
        n = 5001
        pairs = run(n, 100 + ctx.seed)
        return {
            "is_next_fraction": torch.tensor(sum(label == 0 for _, _, label in pairs) / max(len(pairs), 1)),
            "first_sentences": [first for first, _, _ in pairs] == list(range(n - 1)),
            "labels_that_lie": sum((second == first + 1) != (label == 0) for first, second, label in pairs),
        }

    stats = once(statistics)
    return {
        "pairs": lambda: run(count, ctx.seed),
        "pairs_of_two_sentences": lambda: run(2, ctx.seed),
        "pairs_of_one_sentence": lambda: run(1, ctx.seed),
        "pairs_of_no_sentence": lambda: run(0, ctx.seed),
        **{name: field(stats, name) for name in ("is_next_fraction", "first_sentences", "labels_that_lie")},
    }
