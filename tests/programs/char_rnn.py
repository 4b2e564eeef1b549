"""Char-level language model step: Embedding + LSTM + Linear, a few training steps and sampling."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
text = "hello world, hello ember. the quick brown fox jumps over the lazy dog."
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
itos = {i: c for c, i in stoi.items()}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
print(len(chars), data.shape, data[:10])


class CharLSTM(nn.Module):
    def __init__(self, vocab, emb=16, hidden=32, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


model = CharLSTM(len(chars))
print(model)
for name, p in model.named_parameters():
    print(name, tuple(p.shape))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)

seq_len, batch = 16, 4
for step in range(8):
    ix = torch.randint(0, len(data) - seq_len - 1, (batch,))
    x = torch.stack([data[i:i + seq_len] for i in ix])
    y = torch.stack([data[i + 1:i + seq_len + 1] for i in ix])
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    print(f"step {step}: loss {loss.item():.5f} grad norm {norm.item():.5f}")

# Greedy sampling with carried hidden state.
model.eval()
with torch.no_grad():
    idx = torch.tensor([[stoi["h"]]])
    state = None
    out = "h"
    for _ in range(20):
        logits, state = model(idx, state)
        idx = logits[:, -1].argmax(-1, keepdim=True)
        out += itos[idx.item()]
    print(repr(out))
    h, c = state
    print(h.shape, c.shape)
    print(logits[0, -1, :5])

# A GRU cell and a plain RNN on the same embeddings.
gru = nn.GRU(16, 8)
rnn = nn.RNN(16, 8, nonlinearity="tanh", bidirectional=True)
e = model.embed(data[:6]).unsqueeze(1)
o, hn = gru(e)
print(o.shape, hn.shape)
print(hn)
o, hn = rnn(e)
print(o.shape, hn.shape)
print(o[-1])

# The same step by hand with an LSTMCell, carrying (h, c) through a loop.
cell = nn.LSTMCell(16, 8)
h = c = torch.zeros(1, 8)
for t in range(3):
    h, c = cell(model.embed(data[t:t + 1]), (h, c))
print(h)
print(c.grad_fn.name(), nn.GRUCell(16, 8)(model.embed(data[:2])).grad_fn.name())
