using Broker.Models.Onnx;

namespace Broker.Models.Tests;

[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement
{
}

[Collection(nameof(MemoryMeasurement))] // alone: other tests' allocations would blur the process's resident size
public sealed class OrtSessionTests
{
    [Fact]
    public void Reads_names_types_shapes_and_custom_metadata_from_the_model()
    {
        using var session = OrtSession.Open(TestData.OnnxFixture("scale_2x3.onnx"));
        var input = Assert.Single(session.Inputs);
        var output = Assert.Single(session.Outputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(OrtElementType.Float, input.ElementType);
        Assert.Equal([-1L, 2, 3], input.Shape);
        Assert.Equal("y", output.Name);
        Assert.Equal([-1L, 2, 3], output.Shape);
        Assert.Equal("pytorch", session.Metadata.Producer);
        Assert.Equal("scale-test", session.Metadata.Custom["broker.model_id"]);
        Assert.False(session.Metadata.Custom.ContainsKey("broker.preprocessing"));
    }

    [Fact]
    public void Run_writes_the_model_output_into_the_callers_span()
    {
        using var session = OrtSession.Open(TestData.OnnxFixture("scale_2x3.onnx"));
        float[] x = [0, 1, 2, 3, 4, 5, -1, -2, -3, 0.5f, 1e6f, -7];
        var y = new float[12];
        Assert.Equal(12, session.Run(x, [2, 2, 3], y));
        Assert.Equal(x.Select(v => (2 * v) + 1).ToArray(), y);
    }

    [Fact]
    public void Missing_file_and_corrupt_models_are_typed_errors_with_ort_messages()
    {
        var missing = Assert.Throws<OrtException>(() => OrtSession.Open("/nonexistent/model.onnx"));
        Assert.Equal(OrtErrorCode.NoSuchFile, missing.Code);

        var random = new byte[4096];
        new Random(3).NextBytes(random);
        var corrupt = Assert.Throws<OrtException>(() => OrtSession.FromBytes(random, origin: "random.onnx"));
        Assert.NotEqual(OrtErrorCode.Ok, corrupt.Code);
        Assert.Contains("random.onnx", corrupt.Message, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime", corrupt.Message, StringComparison.Ordinal);

        var model = File.ReadAllBytes(Path.Combine(TestData.ShippedCnn, "cnn.onnx"));
        var truncated = Assert.Throws<OrtException>(() => OrtSession.FromBytes(model.AsSpan(0, model.Length / 2)));
        Assert.NotEqual(OrtErrorCode.Ok, truncated.Code);
    }

    [Fact]
    public void Input_that_does_not_fit_the_declared_shape_is_refused_and_the_session_stays_usable()
    {
        using var session = OrtSession.Open(TestData.OnnxFixture("scale_2x3.onnx"));
        var y = new float[12];
        Assert.Equal(OrtErrorCode.ShapeMismatch, Assert.Throws<OrtException>(() => session.Run(new float[12], [2, 3, 2], y)).Code);
        Assert.Equal(OrtErrorCode.ShapeMismatch, Assert.Throws<OrtException>(() => session.Run(new float[11], [2, 2, 3], y)).Code);
        Assert.Equal(OrtErrorCode.ShapeMismatch, Assert.Throws<OrtException>(() => session.Run(new float[6], [6], y)).Code);
        Assert.Equal(OrtErrorCode.ShapeMismatch, Assert.Throws<OrtException>(() => session.Run(new float[12], [2, 2, 3], new float[5])).Code);
        Assert.Equal(6, session.Run([1, 1, 1, 1, 1, 1], [1, 2, 3], y));
        Assert.Equal(3f, y[5]);
    }

    [Fact]
    public void Models_with_several_outputs_are_described_but_not_run_by_the_single_tensor_path()
    {
        using var session = OrtSession.Open(TestData.OnnxFixture("two_outputs.onnx"));
        Assert.Equal(["tripled", "total"], session.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, 1], session.Outputs[1].Shape);
        Assert.Equal(OrtErrorCode.NotImplemented, Assert.Throws<OrtException>(() => session.Run(new float[4], [1, 4], new float[4])).Code);
    }

    [Fact]
    public void Disposed_sessions_refuse_to_run_and_dispose_twice_is_harmless()
    {
        var session = OrtSession.Open(TestData.OnnxFixture("scale_2x3.onnx"));
        session.Dispose();
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run(new float[6], [1, 2, 3], new float[6]));
    }

    [Fact]
    public void Thousands_of_sessions_and_inferences_keep_memory_flat()
    {
        var tiny = File.ReadAllBytes(TestData.OnnxFixture("scale_2x3.onnx"));
        var cnnBytes = File.ReadAllBytes(Path.Combine(TestData.ShippedCnn, "cnn.onnx"));
        var input = new float[4 * 3 * 63 * 63];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (i % 97) / 50f;
        }

        var output = new float[4];
        void Round(int sessions, int cnnSessions, int inferences)
        {
            for (var i = 0; i < sessions; i++)
            {
                using var s = OrtSession.FromBytes(tiny);
                s.Run(new float[6], [1, 2, 3], new float[6]);
            }

            for (var i = 0; i < cnnSessions; i++)
            {
                using var s = OrtSession.FromBytes(cnnBytes);
                for (var k = 0; k < inferences; k++)
                {
                    s.Run(input, [4, 3, 63, 63], output);
                }

                Assert.Throws<OrtException>(() => s.Run(input, [4, 3, 63, 62], output));
            }
        }

        Round(300, 10, 100); // warm: ORT's allocators and thread-local caches reach their steady size
        Round(300, 10, 100);
        var before = ResidentBytes();
        Round(2000, 80, 125); // 2,000 tiny + 80 CNN sessions, 10,000 CNN inferences, 80 refused inputs
        var after = ResidentBytes();
        // A leaked CNN session is ~2 MB of weights (80 would be 160 MB), a leaked input tensor 190 KB (10,000: 1.9 GB).
        Assert.True(after - before < 64L << 20, $"resident memory grew {(after - before) >> 20} MiB over 2,080 sessions and 10,000 inferences");
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
