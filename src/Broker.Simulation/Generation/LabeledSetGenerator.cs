// Generates a labeled set: half real, half bogus with the bogus families in equal shares, scenes drawn from one
// split of the library. Alert i depends only on (seed, i), so sets are reproducible and can be made in parallel.
using System.Collections.Concurrent;
using Broker.Avro.Container;
using Broker.Avro.Schema;
using Broker.Simulation.Rendering;
using Broker.Simulation.Scenes;
using Broker.Simulation.Writing;

namespace Broker.Simulation.Generation;

public sealed class LabeledSetGenerator
{
    private readonly IReadOnlyList<Scene> _scenes;
    private readonly int _seed;
    private readonly ConcurrentDictionary<RecordSchema, string> _schemaJson = new();

    public LabeledSetGenerator(IReadOnlyList<Scene> scenes, int seed)
    {
        ArgumentNullException.ThrowIfNull(scenes);
        if (scenes.Count == 0)
        {
            throw new ArgumentException("No scenes to generate from: give alert files with FITS cutouts.", nameof(scenes));
        }

        _scenes = scenes;
        _seed = seed;
    }

    /// <summary>The family of alert <paramref name="index"/>: even indexes real, odd ones cycle through the bogus families.</summary>
    public static ArtifactFamily FamilyOf(int index) =>
        index % 2 == 0 ? ArtifactFamily.Real : ArtifactFamilies.Bogus[(index / 2) % ArtifactFamilies.Bogus.Count];

    public LabeledAlert Generate(int index)
    {
        var rng = new Rng(_seed, index);
        var scene = _scenes[(int)(Rng.Mix(_seed ^ 0x5EED, index) % (ulong)_scenes.Count)];
        var family = FamilyOf(index);
        var triplet = TripletGenerator.Generate(scene, family, rng);
        var alertId = AlertComposer.AlertId(_seed, index);
        var record = AlertComposer.Compose(triplet, alertId, ((long)_seed * 1_000_000) + index);
        var json = _schemaJson.GetOrAdd(record.Schema, s => SchemaWriter.ToJson(s));
        // A sync marker derived from (seed, index): the same alert is the same bytes on every run.
        var sync = new byte[16];
        BitConverter.TryWriteBytes(sync, Rng.Mix(_seed, index));
        BitConverter.TryWriteBytes(sync.AsSpan(8), Rng.Mix(index, _seed));
        var message = ContainerFileWriter.WriteEncoded(json, [Avro.Generic.GenericWriter.Encode(record.Schema, Avro.Generic.AvroValue.FromRecord(record))], sync: sync);
        return new LabeledAlert(alertId, family, triplet.TargetSnr, scene.Source.AlertId, message)
        {
            Variant = triplet.Variant.Length > 0 ? triplet.Variant : family.Name(),
        };
    }

    public IEnumerable<LabeledAlert> Generate(int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            yield return Generate(i);
        }
    }
}
