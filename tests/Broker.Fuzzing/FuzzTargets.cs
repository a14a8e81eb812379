// The fuzzing targets: one per parser that takes bytes from outside the broker (alert messages, Avro schemas, FITS
// stamps, alert files of every form the source layer reads, filter files, the configuration). Each states its
// contract: the exceptions a bad input may raise (typed, with a reason); anything else escaping is a bug, and AFL
// records the input as a crash. The same targets replay the corpus and every saved crash in the test suite.
using System.Reflection;
using System.Text;
using Broker.Alerts.Decoding;
using Broker.Alerts.Fits;
using Broker.Alerts.Model;
using Broker.Avro;
using Broker.Avro.Decoding;
using Broker.Avro.Framing;
using Broker.Avro.Schema;
using Broker.Engine.Annotation;
using Broker.Filters;
using Broker.Filters.Language;
using Broker.Pipeline.Configuration;
using Broker.Sources;

namespace Broker.Fuzzing;

/// <summary>A named target: runs one input; throws only when the input found a bug.</summary>
public sealed record FuzzTarget(string Name, string What, Action<byte[]> Run);

/// <summary>An input made a target break its contract (wrong result, not an exception it may raise).</summary>
public sealed class FuzzContractException(string message) : Exception(message);

public static class FuzzTargets
{
    private static readonly Lazy<AvroSchema> LsstSchema = new(() => SchemaParser.Parse(ResourceBytes("lsst-v9.avsc")));
    private static readonly Lazy<Alert> FilterAlert = new(() => new AlertDecoder().Decode(ResourceBytes("filter-alert.avro"))[0]);
    private static readonly AlertAnnotation FilterAnnotation = new()
    {
        Source = new SourcePosition("fuzz", 0, 0),
        Features = new float[Broker.Features.Catalog.FeatureCatalog.Count],
        Rb = 0.5f,
        RbModel = "fuzz",
        IngestTimeMs = 0,
    };

    private static readonly Lazy<string> Scratch = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), $"broker-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        return folder;
    });

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("alert", "one Kafka message or alert file: Avro container (embedded schema), Confluent frame (LSSTCam v9 schema for any id), cutouts decoded", Alert),
        new("schema", "an Avro schema (JSON): parsed, written back, resolved against itself and against LSSTCam v9", Schema),
        new("fits", "a cutout stamp: FITS, gzipped or not", Fits),
        new("source", "a file of any form the alert-source layer reads (Parquet, tar, Avro container, frames), every item decoded", Source),
        new("filter", "a .filter file: header lines and the expression, compiled and evaluated on a real alert", Filter),
        new("config", "a broker configuration file (JSON)", Config),
    ];

    /// <summary>
    /// The fits target with a planted bug: breaks on any input whose first byte is 0xFF, so a test can show that a
    /// crash under AFL is found, saved and reported (a harness that never reports one proves nothing). The FITS
    /// decoder runs otherwise, because AFL refuses a target whose instrumented code never runs. Not among <see cref="All"/>.
    /// </summary>
    public static FuzzTarget SelfTest { get; } = new("selftest", "the fits target, broken when the first byte is 0xFF (proves crashes are reported)", input =>
    {
        if (input.Length > 0 && input[0] == 0xFF)
        {
            throw new FuzzContractException("selftest: first byte 0xFF");
        }

        Fits(input);
    });

    public static FuzzTarget Named(string name) =>
        All.Append(SelfTest).FirstOrDefault(t => t.Name == name)
            ?? throw new ArgumentException($"no fuzz target '{name}' (targets: {string.Join(", ", All.Select(t => t.Name))})");

    private static void Alert(byte[] input)
    {
        try
        {
            _ = new AlertDecoder(new AnyIdSchemaSource(LsstSchema.Value), decodeCutouts: true).Decode(input);
        }
        catch (AlertDecodeException)
        {
        }
    }

    private static void Schema(byte[] input)
    {
        AvroSchema schema;
        try
        {
            schema = SchemaParser.Parse(input);
        }
        catch (AvroSchemaException)
        {
            return;
        }

        // What the broker writes back must parse to the same schema (archives keep schemas this way).
        var canonical = SchemaWriter.CanonicalForm(schema);
        var again = SchemaParser.Parse(SchemaWriter.ToJson(schema));
        if (SchemaWriter.CanonicalForm(again) != canonical)
        {
            throw new FuzzContractException($"written schema reads back differently:\n{canonical}\n{SchemaWriter.CanonicalForm(again)}");
        }

        // Every schema resolves against itself (Avro specification, "Schema Resolution").
        _ = DecodePlan.For(schema, schema);
        try
        {
            _ = DecodePlan.For(schema, LsstSchema.Value);
        }
        catch (AvroSchemaException)
        {
        }
    }

    private static void Fits(byte[] input)
    {
        try
        {
            _ = FitsDecoder.Decode(input);
        }
        catch (FitsDecodeException)
        {
        }
    }

    private static void Source(byte[] input)
    {
        // The source layer reads files (it tells formats by their first bytes, not their names); problems are items.
        var path = Path.Combine(Scratch.Value, "input.bin");
        File.WriteAllBytes(path, input);
        var decoder = new AlertDecoder(new AnyIdSchemaSource(LsstSchema.Value), decodeCutouts: true);
        foreach (var (item, alerts) in new AlertSource([path]).Alerts(decoder))
        {
            if (item.IsProblem == (item.Problem is null))
            {
                throw new FuzzContractException($"item {item.Name} has neither message nor problem, or both");
            }

            _ = alerts.Count;
        }
    }

    private static void Filter(byte[] input)
    {
        ExpressionFilter filter;
        try
        {
            filter = FilterFile.Compile(Encoding.UTF8.GetString(input), "fuzz");
        }
        catch (Exception e) when (e is FilterException or FilterDefinitionException)
        {
            return;
        }

        _ = filter.Compiled.Evaluate(FilterAlert.Value, FilterAnnotation);
    }

    private static void Config(byte[] input)
    {
        var path = Path.Combine(Scratch.Value, "broker.json");
        File.WriteAllBytes(path, input);
        try
        {
            _ = Broker.Cluster.Hosting.BrokerOptions.Load(path); // the whole file, as `broker run` reads it
        }
        catch (PipelineConfigException)
        {
        }
    }

    private static byte[] ResourceBytes(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Every schema id names the same schema: frames with any id reach the decoder.</summary>
    private sealed class AnyIdSchemaSource(AvroSchema schema) : ISchemaSource
    {
        public ValueTask<AvroSchema> GetAsync(int id, CancellationToken cancel = default) => ValueTask.FromResult(schema);
    }
}
