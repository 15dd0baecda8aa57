"""Build the a1_bow walk-through notebook, ``a1_bow.ipynb``, next to this script.

The notebook runs the whole experiment with the student's own modules (``starter/a1_bow`` by default,
or the folder named by the environment variable ``A1_BOW_CODE``): reading the data, tokens, the
vocabulary, one-hot and bag-of-words vectors, a DataLoader batch, the model, two epochs of training,
predictions on new sentences and the words that push the prediction most.

The output is deterministic: fixed cell ids, no outputs, no execution counts, so running the script
twice writes byte-identical files.

Usage:
    python assignments/a1_bow/make_notebook.py [--output PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

DEFAULT_OUTPUT = Path(__file__).resolve().with_name("a1_bow.ipynb")

# (cell id, "markdown" or "code", source). Ids are fixed so that the file does not change between runs.
CELLS: list[tuple[str, str, str]] = [
    (
        "title",
        "markdown",
        """
# a1_bow: text classification with a bag of words

This notebook runs the whole experiment of the assignment with **your** code: it imports
`bow_data.py` and `bow_model.py` from `starter/a1_bow/` and calls the functions you wrote.
Each step has a short explanation; the full story is in the handout, `README.md` in this folder
(the section numbers below refer to it).

Run the cells from top to bottom. A cell that stops with `NotImplementedError` tells you which
function to write next. When everything is implemented, the notebook takes well under a minute on
a laptop CPU.

If you edit your files, re-run the second code cell below: it reloads your modules.
""",
    ),
    (
        "offline",
        "markdown",
        """
**Everything here is local.** The reviews are in `data/`, the vocabulary is built from them and the
model starts from random weights. Nothing in this assignment downloads anything: no
`from_pretrained(...)`, no `load_dataset(...)`, no pretrained embeddings or tokenizers. The grader
has no network either, so your files must not try to fetch anything.
""",
    ),
    (
        "setup",
        "code",
        """
import csv
import importlib
import os
import sys
import time
from collections import Counter
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader

# Your code: starter/a1_bow, unless the environment variable A1_BOW_CODE names another folder.
CODE_DIR = Path(os.environ.get("A1_BOW_CODE") or "../../starter/a1_bow").resolve()
DATA_DIR = Path("data").resolve()
if str(CODE_DIR) not in sys.path:
    sys.path.insert(0, str(CODE_DIR))
torch.manual_seed(0)
print("code from:", CODE_DIR)
""",
    ),
    (
        "imports",
        "code",
        """
import bow_data
import bow_model

bow_data = importlib.reload(bow_data)  # pick up your latest edits when this cell is re-run
bow_model = importlib.reload(bow_model)
print("bow_data: ", bow_data.__file__)
print("bow_model:", bow_model.__file__)
""",
    ),
    (
        "data-md",
        "markdown",
        """
## 1. The data (handout §1–2)

`data/train.tsv` and `data/valid.tsv` hold one review snippet per line: `label<TAB>text` after a
header line, label 1 = *fresh* (positive), 0 = *rotten* (negative). Reviews contain quote
characters, so the reader uses `csv.QUOTE_NONE`: a `"` is just a character of the text.

A model is only interesting if it beats the **majority-class baseline**, which always predicts the
most frequent label of the training data.
""",
    ),
    (
        "data",
        "code",
        """
def read_tsv(path: Path) -> tuple[list[str], list[int]]:
    \"\"\"Texts and 0/1 labels of a `label<TAB>text` file with a header line.\"\"\"
    with path.open(encoding="utf-8", newline="") as file:
        rows = csv.reader(file, delimiter="\\t", quoting=csv.QUOTE_NONE)
        next(rows)  # the header
        pairs = [(text, int(label)) for label, text in rows]
    return [text for text, _ in pairs], [label for _, label in pairs]


train_texts, train_labels = read_tsv(DATA_DIR / "train.tsv")
valid_texts, valid_labels = read_tsv(DATA_DIR / "valid.tsv")
print(f"train: {len(train_texts)} reviews, {sum(train_labels) / len(train_labels):.1%} positive")
print(f"valid: {len(valid_texts)} reviews, {sum(valid_labels) / len(valid_labels):.1%} positive")

majority = int(2 * sum(train_labels) >= len(train_labels))
baseline = sum(label == majority for label in valid_labels) / len(valid_labels)
print(f"majority-class baseline (always {majority}) on valid: {baseline:.3f}")
print()
for text, label in zip(train_texts[:5], train_labels[:5], strict=True):
    print(label, text)
""",
    ),
    (
        "tokenize-md",
        "markdown",
        """
## 2. Tokens (handout §3)

`tokenize` lowercases the text and splits it into words (letters, digits, underscores, with
apostrophes allowed *inside* a word as in `it's`) and single punctuation marks. Whitespace
disappears.
""",
    ),
    (
        "tokenize",
        "code",
        """
examples = [
    "It's a GREAT film!",
    "Don't ... it's 2 hrs -- 'meh' (ok)",
    "The actors' work, Jean-Claude Van Damme's best?",
    train_texts[0],
]
for text in examples:
    print(repr(text))
    print("   ", bow_data.tokenize(text))
""",
    ),
    (
        "vocab-md",
        "markdown",
        """
## 3. The vocabulary (handout §4)

`<unk>` gets index 0; then every token seen at least `min_freq` times in the **training** texts,
the most frequent first, ties in alphabetical order. Tokens that are not in the vocabulary (rare
or never seen) are all counted as `<unk>`.
""",
    ),
    (
        "vocab",
        "code",
        """
vocab = bow_data.build_vocab(train_texts, min_freq=2)
itos = sorted(vocab, key=vocab.__getitem__)  # index -> token
V = len(vocab)
print(f"V = {V} with min_freq=2 ({len(bow_data.build_vocab(train_texts, min_freq=1))} with min_freq=1)")
print("first entries:", itos[:20])
print("last entries: ", itos[-5:])

valid_tokens = [token for text in valid_texts for token in bow_data.tokenize(text)]
unknown = sum(token not in vocab for token in valid_tokens)
print(
    f"validation tokens that become {bow_data.UNK}: {unknown} of {len(valid_tokens)}"
    f" ({unknown / len(valid_tokens):.1%})"
)
""",
    ),
    (
        "vectors-md",
        "markdown",
        """
## 4. One-hot and bag-of-words vectors (handout §5)

A one-hot vector has length $V$ and a single 1 at the token's index. The bag of words of a
sentence is the sum of its tokens' one-hots: entry $j$ counts how often vocabulary entry $j$
occurs. Almost all of the $V$ entries are 0, so we print only the nonzero ones.
""",
    ),
    (
        "vectors",
        "code",
        """
def show_nonzero(vector: torch.Tensor) -> None:
    \"\"\"Print the nonzero entries of a (V,) vector with their tokens.\"\"\"
    for index in vector.nonzero().flatten().tolist():
        print(f"    index {index:5d}  {itos[index]!r:14}  {vector[index].item():g}")


for token in ["great", "zzyzx"]:
    vector = bow_data.one_hot(token, vocab)
    print(f"one_hot({token!r}): shape {tuple(vector.shape)}, dtype {vector.dtype}")
    show_nonzero(vector)

sentence = "A dull, dull film that is not a patch on the original."
bow = bow_data.bag_of_words(sentence, vocab)
print(f"bag_of_words({sentence!r}): shape {tuple(bow.shape)}, dtype {bow.dtype}")
show_nonzero(bow)
tokens = bow_data.tokenize(sentence)
print(f"{len(tokens)} tokens, entries sum to {bow.sum().item():g}")
print(
    "equals the sum of the one-hots:",
    torch.equal(bow, torch.stack([bow_data.one_hot(t, vocab) for t in tokens]).sum(0)),
)
""",
    ),
    (
        "datasets-md",
        "markdown",
        """
## 5. Datasets and a DataLoader (handout §6)

`build_datasets` builds the vocabulary on the training texts only and wraps both splits in
`BowDataset`s. Item `i` of a dataset is a pair (bag of words, float32 `(V,)`; label, float32 `()`).
The `DataLoader` draws 32 items at a time in a shuffled order (seeded, so that every run is the
same) and stacks them into a batch: features `(B, V)` and labels `(B,)`.
""",
    ),
    (
        "datasets",
        "code",
        """
vocab, train_dataset, valid_dataset = bow_data.build_datasets(
    train_texts, train_labels, valid_texts, valid_labels, min_freq=2
)
print("same vocabulary as above:", vocab == bow_data.build_vocab(train_texts, min_freq=2))
print("len(train_dataset) =", len(train_dataset), " len(valid_dataset) =", len(valid_dataset))
features, label = train_dataset[0]
print(
    f"train_dataset[0]: features {tuple(features.shape)} {features.dtype}, "
    f"label {tuple(label.shape)} {label.dtype} = {label.item():g}"
)

generator = torch.Generator().manual_seed(0)
train_loader = DataLoader(train_dataset, batch_size=32, shuffle=True, generator=generator)
print(
    f"{len(train_loader)} batches per epoch; the last one has "
    f"{len(train_dataset) - 32 * (len(train_loader) - 1)} sentences"
)

batch_features, batch_labels = next(iter(train_loader))
print(
    f"one batch: features {tuple(batch_features.shape)} {batch_features.dtype}, "
    f"labels {tuple(batch_labels.shape)} {batch_labels.dtype}"
)
print("tokens per sentence (row sums):", batch_features.sum(dim=1)[:8].tolist())
print("labels:", batch_labels[:8].tolist())
""",
    ),
    (
        "model-md",
        "markdown",
        """
## 6. The model (handout §7–8)

$$h_1 = \\mathrm{ReLU}(x W_1^\\top + b_1),\\qquad h_2 = \\mathrm{ReLU}(h_1 W_2^\\top + b_2),\\qquad
z = h_2 W_3^\\top + b_3$$

`nn.Linear(in, out)` stores its weight as `(out, in)`. The forward pass returns the raw logit
$z$, one per sentence; the probability of *fresh* is $\\sigma(z)$, but the sigmoid is left to the
loss. The hooks below print the output shape of each `nn.Linear` layer during one forward pass.

Before training, the logits are close to 0, so the loss is close to $\\ln 2 \\approx 0.693$.
""",
    ),
    (
        "model",
        "code",
        """
torch.manual_seed(0)
model = bow_model.BowClassifier(V, hidden1=64, hidden2=32)
print(model)
for name, parameter in model.named_parameters():
    print(f"    {name:20} {tuple(parameter.shape)}")
print("parameters:", sum(p.numel() for p in model.parameters()))

linears = [module for module in model.modules() if isinstance(module, nn.Linear)]
print("nn.Linear layers:", len(linears), "(the grader expects exactly 3)")
handles = [
    layer.register_forward_hook(
        lambda module, inputs, output, i=i: print(f"    Linear {i} output {tuple(output.shape)}")
    )
    for i, layer in enumerate(linears, start=1)
]
logits = model(batch_features)
for handle in handles:
    handle.remove()
print(f"logits {tuple(logits.shape)}: {logits[:4].tolist()}")
print("loss before training:", nn.BCEWithLogitsLoss()(logits, batch_labels).item())
""",
    ),
    (
        "train-md",
        "markdown",
        """
## 7. Training and evaluation (handout §9–10)

Two epochs of your `train_epoch` with Adam (learning rate $10^{-3}$), the same setting the grader
uses for the held-out accuracy. After each epoch, your `predict` labels the validation reviews
(evaluation mode, no gradients) and we compare with the true labels. A correct solution lands
clearly above the majority baseline printed in step 1.
""",
    ),
    (
        "train",
        "code",
        """
def accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    \"\"\"Fraction of predictions equal to the labels.\"\"\"
    return (predictions == labels).float().mean().item()


valid_features = torch.stack([valid_dataset[i][0] for i in range(len(valid_dataset))])
valid_targets = torch.tensor(valid_labels, dtype=torch.int64)
print("validation features:", tuple(valid_features.shape))

torch.manual_seed(0)
model = bow_model.BowClassifier(V, hidden1=64, hidden2=32)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(1, 3):
    start = time.perf_counter()
    train_loss = bow_model.train_epoch(model, train_loader, optimizer)
    epoch_accuracy = accuracy(bow_model.predict(model, valid_features), valid_targets)
    print(
        f"epoch {epoch}: train loss {train_loss:.4f}, validation accuracy {epoch_accuracy:.3f}"
        f" ({time.perf_counter() - start:.1f} s)"
    )

validation_accuracy = epoch_accuracy
print(f"validation accuracy: {validation_accuracy:.3f}")
""",
    ),
    (
        "predict-md",
        "markdown",
        """
## 8. New sentences

Any text can be classified: tokenize, count over the *training* vocabulary, run the model. Words
the model has never seen only add to the `<unk>` count. Try your own sentences; do not expect
a bag of words to understand negation or sarcasm.
""",
    ),
    (
        "predict",
        "code",
        """
sentences = [
    "A warm, funny and beautifully acted film.",
    "Dull, predictable and far too long.",
    "The plot is thin, but the performances are wonderful.",
    "Not good.",
    "I have never been so bored in a cinema.",
]
new_features = torch.stack([bow_data.bag_of_words(text, vocab) for text in sentences])
new_labels = bow_model.predict(model, new_features)
with torch.no_grad():
    probabilities = torch.sigmoid(model(new_features))  # predict() left the model in eval mode
for text, label, probability in zip(sentences, new_labels.tolist(), probabilities.tolist(), strict=True):
    unknown = [t for t in bow_data.tokenize(text) if t not in vocab]
    verdict = "fresh " if label == 1 else "rotten"
    print(f"{verdict}  P(fresh)={probability:.2f}  {text}" + (f"  <unk>: {unknown}" if unknown else ""))
""",
    ),
    (
        "words-md",
        "markdown",
        """
## 9. Which words push the prediction?

For each fairly frequent word $w$ we feed the model a "sentence" made of that word alone and
compare with the empty sentence:

$$\\text{effect}(w) = f(e_w) - f(\\mathbf{0}),$$

where $f$ maps a bag of words to the logit and $e_w$ is the one-hot vector of $w$: the change of the
logit that the word causes on its own. Positive means "pushes towards *fresh*". Because of the ReLUs
the model is not linear, so inside a real sentence a word's contribution also depends on the other
words; for a purely linear model this would be exactly the word's weight. We keep words seen at
least 20 times in training, whose effects are the most reliable.
""",
    ),
    (
        "words",
        "code",
        """
counts = Counter(token for text in train_texts for token in bow_data.tokenize(text))
frequent = [token for token in itos if token != bow_data.UNK and counts[token] >= 20]
model.eval()
with torch.no_grad():
    empty_logit = model(torch.zeros(1, V)).item()
    word_logits = model(torch.stack([bow_data.one_hot(token, vocab) for token in frequent]))
effects = (word_logits - empty_logit).tolist()
ranked = sorted(zip(effects, frequent, strict=True))
print(f"{len(frequent)} words seen at least 20 times; logit of the empty sentence {empty_logit:+.2f}")
print("towards fresh: ", ", ".join(f"{w} ({e:+.2f})" for e, w in reversed(ranked[-15:])))
print("towards rotten:", ", ".join(f"{w} ({e:+.2f})" for e, w in ranked[:15]))
""",
    ),
    (
        "next",
        "markdown",
        """
## Next steps

* `autograder check a1_bow` runs the visible tests on your files (handout §13–14).
* The held-out accuracy is graded like the training above: two epochs of your own code, then
  your `predict` on reviews that only the grader has. Full points from 0.72.
* Submit `bow_data.py` and `bow_model.py` on Gradescope.
* Optional: change `min_freq`, the hidden sizes or the number of epochs here and watch the
  validation accuracy. The grader always uses the defaults.
""",
    ),
]


def build_notebook() -> NotebookNode:
    """The notebook as an nbformat v4 node: fixed ids, empty outputs, a python3 kernelspec."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {
            "display_name": "Python 3",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    for cell_id, kind, source in CELLS:
        text = source.strip("\n")
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(text, id=cell_id)
        else:
            cell = nbformat.v4.new_code_cell(text, id=cell_id)
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return notebook


def write_notebook(path: Path) -> None:
    """Write the notebook as UTF-8 with "\\n" line ends, whatever the platform."""
    text = nbformat.writes(build_notebook())
    if not text.endswith("\n"):
        text += "\n"
    path.write_bytes(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where to write (default: {DEFAULT_OUTPUT.name})",
    )
    write_notebook(parser.parse_args(argv).output)


if __name__ == "__main__":
    main()
