// The broker's Avro codec against Apache.Avro on the same container-file messages, Avro only (the datum with
// prv_candidates and the cutouts' bytes; no FITS): one thread, 1 s warm-up, 5 s per reader, two alternating rounds.
// Why it exists: the broker keeps its own codec on the hot path only because this says it is clearly faster.
//   dotnet run -c Release --project tests/Broker.Avro.Benchmarks -- ../shared/data/alerts/ztf
using System.Diagnostics;
using System.Globalization;
using Avro.File;
using Avro.Generic;
using Avro.IO;
using Broker.Avro.Container;
using Broker.Avro.Decoding;
using Broker.Avro.Schema;

if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Broker.Avro.Benchmarks DIR   (a folder of Avro container-file alerts)");
    return 2;
}

var cache = new SchemaCache();
var readers = new Dictionary<string, GenericDatumReader<GenericRecord>>(StringComparer.Ordinal);
var messages = new List<(byte[] Bytes, byte[] Datum, DecodePlan Plan, GenericDatumReader<GenericRecord> Apache)>();
foreach (var file in Directory.EnumerateFiles(args[0], "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
{
    var bytes = File.ReadAllBytes(file);
    // Apache.Avro's C# library has no snappy codec: such files are left out of both sides.
    if (!ContainerFile.HasMagic(bytes) || ContainerFile.ReadHeader(bytes).Codec is not ("null" or "deflate"))
    {
        continue;
    }

    var contents = ContainerFile.Read(bytes, null, cache);
    var json = SchemaWriter.ToJson(contents.Header.Schema);
    if (!readers.TryGetValue(json, out var apache))
    {
        var schema = Avro.Schema.Parse(json);
        apache = new GenericDatumReader<GenericRecord>(schema, schema);
        readers[json] = apache;
    }

    messages.Add((bytes, contents.Datums[0].ToArray(), DecodePlan.For(contents.Header.Schema), apache));
}

Console.WriteLine($"{messages.Count} messages, {readers.Count} schemas");
for (var round = 1; round <= 2; round++)
{
    Measure("broker codec, whole container message (header cached)", k => ContainerFile.Read(messages[k].Bytes, null, cache));
    Measure("broker codec, datum only (cached plan)", k => messages[k].Plan.ReadExact(messages[k].Datum));
    Measure("Apache.Avro GenericDatumReader, datum only (cached schema)", k => messages[k].Apache.Read(null!, new BinaryDecoder(new MemoryStream(messages[k].Datum))));
    Measure("Apache.Avro DataFileReader, whole container message", k =>
    {
        using var reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(messages[k].Bytes));
        reader.Next();
    });
}

return 0;

void Measure(string name, Action<int> decode)
{
    var clock = Stopwatch.StartNew();
    var i = 0;
    while (clock.Elapsed.TotalSeconds < 1)
    {
        decode(i++ % messages.Count);
    }

    var allocated = GC.GetAllocatedBytesForCurrentThread();
    clock.Restart();
    var n = 0;
    while (clock.Elapsed.TotalSeconds < 5)
    {
        decode(n++ % messages.Count);
    }

    var rate = n / clock.Elapsed.TotalSeconds;
    var kib = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / n;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {rate:F0} alerts/s, {1e6 / rate:F1} us, {kib:F1} KiB allocated per alert"));
}
