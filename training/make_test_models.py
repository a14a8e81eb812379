#!/usr/bin/python3
"""Small ONNX models for the broker's binding tests (tests/fixtures/onnx), exported with Debian python3-torch.

    /usr/bin/python3 training/make_test_models.py tests/fixtures/onnx

scale_2x3.onnx      float[N,2,3] -> float[N,2,3], y = 2x + 1 (values checkable by hand)
wrong_size.onnx     float[N,3,32,32] -> float[N,1] (a CNN input the broker must refuse)
two_outputs.onnx    float[N,4] -> (float[N,4], float[N,1])
"""
import os
import sys

import onnx
import torch
import torch.nn as nn


class Scale(nn.Module):
    def forward(self, x):
        return 2 * x + 1


class WrongSize(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 2, 3)
        self.fc = nn.Linear(2 * 30 * 30, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc(torch.flatten(self.conv(x), 1)))


class TwoOutputs(nn.Module):
    def forward(self, x):
        return x * 3, x.sum(dim=1, keepdim=True)


def export(model, example, path, inputs, outputs, metadata):
    axes = {name: {0: "batch"} for name in inputs + outputs}
    torch.onnx.export(model, example, path, input_names=inputs, output_names=outputs, opset_version=13, dynamic_axes=axes)
    proto = onnx.load(path)
    for k, v in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.save(proto, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    export(Scale(), torch.zeros(1, 2, 3), os.path.join(out, "scale_2x3.onnx"), ["x"], ["y"], {"broker.model_id": "scale-test"})
    export(WrongSize(), torch.zeros(1, 3, 32, 32), os.path.join(out, "wrong_size.onnx"), ["triplet"], ["real_probability"],
           {"broker.preprocessing": "stamp-asinh3sigma-63-v1"})
    export(TwoOutputs(), torch.zeros(1, 4), os.path.join(out, "two_outputs.onnx"), ["x"], ["tripled", "total"], {})


if __name__ == "__main__":
    main()
