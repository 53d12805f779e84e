"""The issue's small image CNN in PyTorch on CPU, trained on the rows image-cnn.bench.ts exported.

Usage: python3 torch_cnn.py DIR EPOCHS BATCH THREADS   (DIR holds images.f32 [rows, 28, 28, 1], labels.i32, shape.json)
Prints one JSON line: {"epoch_seconds": [...], "epoch_cpu_seconds": [...] (process CPU time), "threads": ..., "version": ..., "final_loss": ...}.
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn


def build():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10),
    )


def main():
    folder, epochs, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    n = json.load(open(f"{folder}/shape.json"))["rows"]
    images = torch.from_numpy(np.fromfile(f"{folder}/images.f32", dtype=np.float32).reshape(n, 28, 28, 1)).permute(0, 3, 1, 2).contiguous()
    labels = torch.from_numpy(np.fromfile(f"{folder}/labels.i32", dtype=np.int32).astype(np.int64))
    torch.manual_seed(0)
    model = build()
    assert sum(p.numel() for p in model.parameters()) == 421642
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    epoch_seconds = []
    epoch_cpu_seconds = []
    loss = None
    for _ in range(epochs):
        start = time.perf_counter()
        cpu_start = time.process_time()
        order = torch.randperm(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(images[idx]), labels[idx])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)
        epoch_cpu_seconds.append(time.process_time() - cpu_start)
    print(json.dumps({"epoch_seconds": epoch_seconds, "epoch_cpu_seconds": epoch_cpu_seconds, "threads": torch.get_num_threads(), "version": torch.__version__, "final_loss": loss.item()}))


main()
