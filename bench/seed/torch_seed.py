"""The Keras article's model in PyTorch (CPU), trained on tensors exported by seed.bench.ts.

Usage: python3 torch_seed.py DIR EPOCHS BATCH   (DIR holds images.f32, tokens.i32, labels.f32, shape.json)
Prints one JSON line: {"epoch_seconds": [...], "threads": ...}.
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn


class SeedModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, 3)  # valid padding, as Keras's default
        self.embedding = nn.Embedding(1000, 64)
        self.lstm = nn.LSTM(64, 32, batch_first=True)
        self.out = nn.Linear(62 * 62 * 32 + 32, 1)

    def forward(self, images, tokens):
        x = torch.relu(self.conv(images)).flatten(1)
        _, (h, _) = self.lstm(self.embedding(tokens))
        return torch.sigmoid(self.out(torch.cat([x, h[-1]], dim=1)))


def main():
    folder, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    shape = json.load(open(f"{folder}/shape.json"))
    n = shape["rows"]
    images = torch.from_numpy(np.fromfile(f"{folder}/images.f32", dtype=np.float32).reshape(n, 64, 64, 3)).permute(0, 3, 1, 2).contiguous()
    tokens = torch.from_numpy(np.fromfile(f"{folder}/tokens.i32", dtype=np.int32).reshape(n, 100).astype(np.int64))
    labels = torch.from_numpy(np.fromfile(f"{folder}/labels.f32", dtype=np.float32).reshape(n, 1))
    torch.manual_seed(0)
    model = SeedModel()
    assert sum(p.numel() for p in model.parameters()) == 200353 + 128  # PyTorch's LSTM has two bias vectors
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    epoch_seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(images[idx], tokens[idx]), labels[idx])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)
    print(json.dumps({"epoch_seconds": epoch_seconds, "threads": torch.get_num_threads(), "version": torch.__version__}))


main()
