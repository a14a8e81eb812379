#!/usr/bin/python3
"""Post-training int8 quantization of the shipped CNN, in ONNX's QDQ form, for ONNX Runtime's integer kernels.

The CNN is ~90% 3x3 convolutions and runs near the fp32 peak of one core (docs/performance.md). ONNX Runtime
fuses QuantizeLinear/DequantizeLinear pairs around a Conv into QLinearConv, which uses 8-bit dot products
(AVX-512 VNNI / AVX2 where present). This script:
  1. runs the fp32 graph on calibration triplets (a torch interpreter of its few op types: Conv, Relu, MaxPool,
     Flatten, Gemm, Sigmoid) and records each convolution input's range (min/max);
  2. rewrites the graph: the input of every convolution with at least --min-channels input channels is quantized
     to uint8 (asymmetric; after a ReLU the zero point is 0), its weights to int8 per output channel (symmetric),
     its bias to int32 at input scale x weight scale; the ReLU after it is followed by a QuantizeLinear (ORT folds
     the ReLU into it), and max pooling runs between a Dequantize and a Quantize of the same scale (ORT runs it on
     uint8). The first convolution (3 input channels: ORT's int8 kernel is slower there than its fp32 one), the
     dense layers at the end (2% of the work) and the sigmoid stay fp32;
  3. writes the quantized model and prints the fp32 and QDQ-simulated outputs' largest difference on the
     calibration set.
Nothing here is trained: the weights are the fp32 model's, rounded. Accuracy is measured by `broker eval cnn`.

Usage: /usr/bin/python3 training/quantize_cnn.py --model models/cnn/cnn.onnx --data WORK/train.npy --out DIR
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def run(graph, inits, x, fake_quant=None, min_channels=0):
    """Evaluates the graph with torch; returns the output and every tensor's value (by name). With fake_quant
    (tensor name -> (scale, zero point)), convolutions with at least min_channels input channels see their input and
    weights rounded as the int8 model will."""
    values = {graph.input[0].name: x}
    values.update(inits)
    for node in graph.node:
        a = attrs(node)
        ins = [values[i] for i in node.input]
        if node.op_type == "Conv":
            inp = ins[0]
            quantized = fake_quant is not None and ins[1].shape[1] >= min_channels
            if quantized and node.input[0] in fake_quant:
                scale, zp = fake_quant[node.input[0]]
                inp = (torch.clamp(torch.round(inp / scale) + zp, 0, 255) - zp) * scale
            w = ins[1]
            if quantized:
                ws = w.abs().amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-12) / 127
                w = torch.clamp(torch.round(w / ws), -127, 127) * ws
            pads = a.get("pads", [0, 0, 0, 0])
            out = F.conv2d(inp, w, ins[2] if len(ins) > 2 else None, stride=a.get("strides", [1, 1]),
                           padding=(pads[0], pads[1]))
        elif node.op_type == "Relu":
            out = torch.relu(ins[0])
        elif node.op_type == "MaxPool":
            out = F.max_pool2d(ins[0], a["kernel_shape"], a["strides"], ceil_mode=bool(a.get("ceil_mode", 0)))
        elif node.op_type == "Flatten":
            out = torch.flatten(ins[0], a.get("axis", 1))
        elif node.op_type == "Gemm":
            w = ins[1].T if a.get("transB", 0) else ins[1]
            out = ins[0] @ w + (ins[2] if len(ins) > 2 else 0)
        elif node.op_type == "Sigmoid":
            out = torch.sigmoid(ins[0])
        else:
            raise SystemExit(f"quantize_cnn.py: op {node.op_type} is not supported")
        values[node.output[0]] = out
    return values[graph.output[0].name], values


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True, help="training triplets (.npy, [N, 3, 63, 63] float32)")
    p.add_argument("--out", required=True, help="output directory (cnn.onnx and quantization.json)")
    p.add_argument("--count", type=int, default=2000, help="calibration triplets, spread over the file")
    p.add_argument("--min-channels", type=int, default=8, help="quantize convolutions with at least this many input channels")
    args = p.parse_args()
    torch.set_grad_enabled(False)

    model = onnx.load(args.model)
    graph = model.graph
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    data = np.load(args.data, mmap_mode="r")
    pick = np.linspace(0, len(data) - 1, min(args.count, len(data))).astype(int)
    calibration = torch.from_numpy(np.ascontiguousarray(data[pick], dtype=np.float32))

    # Which convolutions run in int8: those with at least --min-channels input channels. The first one (3 input
    # channels, 27 products per output) is slower in ORT's int8 kernel than in its fp32 NCHWc one.
    init_by_name = {i.name: i for i in graph.initializer}
    convs = [n for n in graph.node if n.op_type == "Conv"
             and numpy_helper.to_array(init_by_name[n.input[1]]).shape[1] >= args.min_channels]
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    # A quantized convolution's ReLU output is quantized too, so ORT sees Q after it and fuses the group (it only
    # makes a QLinearConv of DQ -> Conv -> Q); max pools in between run on uint8.
    relu_outputs = []
    for conv in convs:
        for c in consumers.get(conv.output[0], []):
            if c.op_type == "Relu":
                relu_outputs.append(c.output[0])

    # 1. Ranges of the tensors to quantize.
    conv_inputs = sorted({n.input[0] for n in convs} | set(relu_outputs))
    lo = {name: float("inf") for name in conv_inputs}
    hi = {name: float("-inf") for name in conv_inputs}
    reference = []
    for chunk in torch.split(calibration, 256):
        out, values = run(graph, inits, chunk)
        reference.append(out)
        for name in conv_inputs:
            lo[name] = min(lo[name], float(values[name].min()))
            hi[name] = max(hi[name], float(values[name].max()))
    reference = torch.cat(reference)

    quant = {}
    for name in conv_inputs:
        low, high = min(lo[name], 0.0), max(hi[name], 0.0)
        scale = (high - low) / 255 if high > low else 1.0
        zp = int(round(-low / scale))
        quant[name] = (scale, zp)

    # 2. Rewrite. Producers of each tensor, to place a Quantize after ReLU / MaxPool outputs.
    producer = {o: n for n in graph.node for o in n.output}
    new_nodes, new_inits = [], [i for i in graph.initializer]
    quantized = {}  # float tensor name -> its dequantized twin

    def const(name, array):
        t = numpy_helper.from_array(array, name)
        new_inits.append(t)
        return name

    def qdq(tensor):
        if tensor in quantized:
            return quantized[tensor]
        scale, zp = quant[tensor]
        s = const(f"{tensor}/q_scale", np.array(scale, dtype=np.float32))
        z = const(f"{tensor}/q_zero", np.array(zp, dtype=np.uint8))
        new_nodes.append(helper.make_node("QuantizeLinear", [tensor, s, z], [f"{tensor}/q"]))
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{tensor}/q", s, z], [f"{tensor}/dq"]))
        quantized[tensor] = f"{tensor}/dq"
        return quantized[tensor]

    # A max pool whose output feeds a convolution gets its input quantized at the output's scale, so that the
    # pool sits between DQ and Q of one scale (ORT then runs it on uint8).
    for node in graph.node:
        if node.op_type == "MaxPool" and node.output[0] in quant:
            quant[node.input[0]] = quant[node.output[0]]

    quantized_convs = {id(n) for n in convs}
    graph_fp32_convs = [n for n in graph.node if n.op_type == "Conv"]
    for node in graph.node:
        if node.op_type == "Conv" and id(node) in quantized_convs:
            x = qdq(node.input[0])
            w = numpy_helper.to_array(init_by_name[node.input[1]]).astype(np.float32)
            b = numpy_helper.to_array(init_by_name[node.input[2]]).astype(np.float32)
            w_scale = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(axis=1), 1e-12) / 127
            w_q = np.clip(np.round(w / w_scale[:, None, None, None]), -127, 127).astype(np.int8)
            x_scale = quant[node.input[0]][0]
            b_scale = (x_scale * w_scale).astype(np.float32)
            b_q = np.round(b / b_scale).astype(np.int32)
            wn = node.input[1]
            wq = const(f"{wn}/int8", w_q)
            ws = const(f"{wn}/scale", w_scale.astype(np.float32))
            wz = const(f"{wn}/zero", np.zeros(w.shape[0], dtype=np.int8))
            bq = const(f"{node.input[2]}/int32", b_q)
            bs = const(f"{node.input[2]}/scale", b_scale)
            bz = const(f"{node.input[2]}/zero", np.zeros(w.shape[0], dtype=np.int32))
            new_nodes.append(helper.make_node("DequantizeLinear", [wq, ws, wz], [f"{wn}/dq"], axis=0))
            new_nodes.append(helper.make_node("DequantizeLinear", [bq, bs, bz], [f"{node.input[2]}/dq"], axis=0))
            new_nodes.append(helper.make_node("Conv", [x, f"{wn}/dq", f"{node.input[2]}/dq"], list(node.output),
                                              name=node.name, **attrs(node)))
        elif node.op_type == "MaxPool" and node.input[0] in quant:
            new_nodes.append(helper.make_node("MaxPool", [qdq(node.input[0])], list(node.output), name=node.name,
                                              **attrs(node)))
        else:
            new_nodes.append(node)
            if node.op_type == "Relu" and node.output[0] in relu_outputs and node.output[0] not in {n.input[0] for n in convs}:
                # Q right after this ReLU; its readers (a max pool) are rewired to the dequantized twin below.
                qdq(node.output[0])

    # Readers of a quantized ReLU output that is not a conv input read its dequantized twin.
    for n in new_nodes:
        if n.op_type in ("MaxPool", "Flatten"):
            for k, i in enumerate(n.input):
                if i in quantized and not i.endswith("/dq"):
                    n.input[k] = quantized[i]

    # Keep the fp32 weights only where something still reads them.
    used = {i for n in new_nodes for i in n.input}
    del graph.node[:]
    graph.node.extend(new_nodes)
    del graph.initializer[:]
    graph.initializer.extend([i for i in new_inits if i.name in used])
    onnx.checker.check_model(model)

    # Topological order: each QDQ pair was appended when first needed, after its producer.
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "cnn.onnx")
    onnx.save(model, path)

    # 3. How far the simulated int8 arithmetic moves the outputs.
    simulated, _ = run(onnx.load(args.model).graph, inits, calibration, fake_quant=quant, min_channels=args.min_channels)
    diff = (simulated - reference).abs()
    report = {
        "source_model": os.path.abspath(args.model),
        "calibration": {"file": os.path.abspath(args.data), "count": int(len(pick))},
        "activations": "uint8 per tensor, min/max calibration",
        "weights": "int8 per output channel, symmetric",
        "bias": "int32 at input scale x weight scale",
        "not_quantized": ", ".join([f"convolution {n.name or n.output[0]} ({numpy_helper.to_array(init_by_name[n.input[1]]).shape[1]} input channels)"
                                    for n in graph_fp32_convs if id(n) not in quantized_convs] + ["the dense layers", "the sigmoid"]),
        "simulated_max_abs_diff": float(diff.max()),
        "simulated_mean_abs_diff": float(diff.mean()),
        "ranges": {k: {"min": lo[k], "max": hi[k], "scale": quant[k][0], "zero_point": quant[k][1]} for k in conv_inputs},
    }
    with open(os.path.join(args.out, "quantization.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"wrote {path}; simulated int8 vs fp32 on {len(pick)} calibration triplets: "
          f"max |diff| {report['simulated_max_abs_diff']:.4f}, mean {report['simulated_mean_abs_diff']:.5f}")


if __name__ == "__main__":
    main()
