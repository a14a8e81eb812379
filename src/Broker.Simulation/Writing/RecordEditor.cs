// Copy-on-write edits of decoded Avro records: a generated alert is its scene's record with some fields replaced.
// Numbers are converted to the field's declared type (int, long, float, double, through nullable unions), so
// the result encodes with the scene's own schema.
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Simulation.Writing;

internal sealed class RecordEditor
{
    private readonly RecordSchema _schema;
    private readonly AvroValue[] _values;

    public RecordEditor(AvroRecord record)
    {
        _schema = record.Schema;
        _values = record.Values.ToArray();
    }

    public bool Has(string field) => _schema.IndexOf(field) >= 0;

    public AvroRecord? Record(string field) =>
        _schema.IndexOf(field) is var i and >= 0 && _values[i].Kind == AvroType.Record ? _values[i].AsRecord() : null;

    public RecordEditor Set(string field, AvroValue value)
    {
        if (_schema.IndexOf(field) is var i and >= 0)
        {
            _values[i] = value;
        }

        return this;
    }

    /// <summary>Sets a numeric field in its declared type; a field that is absent from this schema version is skipped.</summary>
    public RecordEditor SetNumber(string field, double value)
    {
        if (_schema.GetField(field) is not { } f)
        {
            return this;
        }

        var type = NonNull(f.Schema).Type;
        _values[f.Position] = type switch
        {
            AvroType.Int => AvroValue.FromInt((int)Math.Round(value)),
            AvroType.Long => AvroValue.FromLong((long)Math.Round(value)),
            AvroType.Float => AvroValue.FromFloat((float)value),
            AvroType.Double => AvroValue.FromDouble(value),
            AvroType.Boolean => AvroValue.FromBoolean(value != 0),
            _ => _values[f.Position],
        };
        return this;
    }

    /// <summary>Sets a long (or int) field exactly: ids must not pass through a double.</summary>
    public RecordEditor SetLong(string field, long value)
    {
        if (_schema.GetField(field) is not { } f)
        {
            return this;
        }

        _values[f.Position] = NonNull(f.Schema).Type == AvroType.Int ? AvroValue.FromInt(checked((int)value)) : AvroValue.FromLong(value);
        return this;
    }

    public RecordEditor SetString(string field, string value) =>
        _schema.GetField(field) is { } f && NonNull(f.Schema).Type == AvroType.String ? Set(field, AvroValue.FromString(value)) : this;

    /// <summary>Sets a nullable field to null (left unchanged when the field is not nullable).</summary>
    public RecordEditor SetNull(string field) =>
        _schema.GetField(field) is { Schema: UnionSchema u } && u.Branches.Any(b => b.Type == AvroType.Null) ? Set(field, AvroValue.Null) : this;

    public AvroRecord Build() => new(_schema, _values);

    public static AvroSchema NonNull(AvroSchema schema) =>
        schema is UnionSchema u ? u.Branches.FirstOrDefault(b => b.Type != AvroType.Null) ?? schema : schema;
}
