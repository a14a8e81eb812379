// The alerts a pipeline scores before it consumes (AlertEngine.WarmUpAsync): one real ZTF alert (v4.01, with
// forced-photometry history) and one real LSSTCam alert (lsst.v9_0 in an Avro container), embedded from Warmup/
// (provenance in Warmup/PROVENANCE.tsv). Without it the first second of a fresh process's alerts waited for the JIT
// and ONNX Runtime's first runs: paired `broker demo` p99 486 / 450 / 446 ms cold, 443 / 367 / 327 ms with it
// (docs/performance.md).
namespace Broker.Pipeline;

public static class PipelineWarmup
{
    /// <summary>How many times each sample is scored (the CNN's and the encoders' paths settle after the first).</summary>
    public const int Repeats = 3;

    private static readonly Lazy<IReadOnlyList<byte[]>> Samples = new(() =>
    {
        var assembly = typeof(PipelineWarmup).Assembly;
        return [.. new[] { "warmup/ztf.avro", "warmup/rubin.avro" }.Select(name =>
        {
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"{name} is not embedded in {assembly.GetName().Name}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        })];
    });

    /// <summary>The embedded sample messages (Avro container files).</summary>
    public static IReadOnlyList<byte[]> Messages => Samples.Value;
}
