"""Tiny transformer language model: TransformerEncoder with a causal mask, a few steps."""
import math

import torch
import torch.nn as nn

torch.manual_seed(0)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        x = x + self.pe[: x.size(0)]
        return self.dropout(x)


class TransformerModel(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.1):
        super().__init__()
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        layer = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(layer, nlayers, enable_nested_tensor=False)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-initrange, initrange)

    def forward(self, src, src_mask=None):
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        output = self.transformer_encoder(src, src_mask)
        return self.linear(output)


ntokens, seq_len, bsz = 20, 10, 4
model = TransformerModel(ntokens, d_model=32, nhead=4, d_hid=64, nlayers=2, dropout=0.1)
print(model.transformer_encoder.layers[0])
print(sum(p.numel() for p in model.parameters()))
mask = nn.Transformer.generate_square_subsequent_mask(seq_len)
print(mask[:4, :4])

data = torch.randint(0, ntokens, (seq_len + 1, bsz))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
model.train()
for step in range(6):
    src, tgt = data[:-1], data[1:]
    output = model(src, mask)
    loss = criterion(output.view(-1, ntokens), tgt.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    optimizer.step()
    scheduler.step()
    print(f"step {step} | lr {scheduler.get_last_lr()[0]:02.4f} | loss {loss.item():.5f} "
          f"| ppl {math.exp(loss.item()):8.3f}")

model.eval()
with torch.no_grad():
    out = model(data[:-1], mask)
    print(f"eval loss {criterion(out.view(-1, ntokens), data[1:].reshape(-1)).item():.6f}")
    # Causality: changing a later token leaves earlier outputs unchanged.
    changed = data[:-1].clone()
    changed[-1] = (changed[-1] + 1) % ntokens
    out2 = model(changed, mask)
    print(torch.allclose(out[:-1], out2[:-1], atol=1e-6), torch.allclose(out[-1], out2[-1]))

# A standalone MultiheadAttention with weights returned.
mha = nn.MultiheadAttention(8, 2, batch_first=True)
q = torch.randn(2, 3, 8)
attn_out, attn_w = mha(q, q, q)
print(attn_out.shape, attn_w.shape)
print(attn_w[0])
