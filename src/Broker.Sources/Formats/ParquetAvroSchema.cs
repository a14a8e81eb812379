// The Avro schema of a Parquet file's alert columns, read from the file's own schema (DuckDB's type names, as
// DESCRIBE prints them: BIGINT, STRUCT(jd DOUBLE, "dec" DOUBLE)[], MAP(VARCHAR, DOUBLE), ...). A Parquet file
// carries its schema; no sidecar is needed to turn a row back into an Avro record. Every field is nullable
// (["null", T]): Parquet columns are, and Fink's writers (Spark, pandas) leave nulls where the survey had none.
// Record names are the field path (ztf.alert.candidate, ...), unique as Avro requires.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Broker.Sources.Formats;

internal static class ParquetAvroSchema
{
    /// <summary>An Avro record schema named <paramref name="fullName"/> with one nullable field per (name, DuckDB type).</summary>
    public static JsonObject Record(string fullName, IEnumerable<(string Name, string DuckType)> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var fields = new JsonArray();
        foreach (var (name, type) in columns)
        {
            var parser = new TypeParser(type);
            var avro = parser.ParseType(fullName + "." + name);
            parser.ExpectEnd();
            fields.Add(Field(name, avro));
        }

        return new JsonObject { ["type"] = "record", ["name"] = fullName, ["fields"] = fields };
    }

    private static JsonObject Field(string name, JsonNode type) =>
        new() { ["name"] = AvroName(name), ["type"] = new JsonArray("null", type), ["default"] = null };

    /// <summary>Avro names are [A-Za-z_][A-Za-z0-9_]*; other characters become '_'.</summary>
    internal static string AvroName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }

    /// <summary>A recursive-descent reader of DuckDB's type names.</summary>
    private sealed class TypeParser(string text)
    {
        private int _at;

        public JsonNode ParseType(string path)
        {
            var type = ParseBase(path);
            SkipSpace();
            while (Peek("[]"))
            {
                _at += 2;
                type = new JsonObject { ["type"] = "array", ["items"] = new JsonArray("null", type) };
                SkipSpace();
            }

            return type;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_at != text.Length)
            {
                throw new FormatException($"unexpected '{text[_at..]}' in the column type '{text}'");
            }
        }

        private JsonNode ParseBase(string path)
        {
            SkipSpace();
            var word = Word();
            switch (word.ToUpperInvariant())
            {
                case "STRUCT":
                    {
                        Expect('(');
                        var fields = new JsonArray();
                        while (true)
                        {
                            SkipSpace();
                            var name = Identifier();
                            var type = ParseType(path + "." + AvroName(name));
                            fields.Add(Field(name, type));
                            SkipSpace();
                            if (TryTake(')'))
                            {
                                break;
                            }

                            Expect(',');
                        }

                        return new JsonObject { ["type"] = "record", ["name"] = path, ["fields"] = fields };
                    }

                case "MAP":
                    {
                        Expect('(');
                        _ = ParseType(path + ".key");
                        Expect(',');
                        var values = ParseType(path + ".value");
                        Expect(')');
                        return new JsonObject { ["type"] = "map", ["values"] = new JsonArray("null", values) };
                    }

                case "DECIMAL" or "NUMERIC":
                    SkipParenthesized();
                    return "double";
                case "BOOLEAN" or "BOOL":
                    return "boolean";
                case "TINYINT" or "SMALLINT" or "INTEGER" or "INT" or "UTINYINT" or "USMALLINT":
                    return "int";
                case "BIGINT" or "UINTEGER" or "UBIGINT" or "HUGEINT" or "UHUGEINT":
                    return "long";
                case "FLOAT" or "REAL":
                    return "float";
                case "DOUBLE":
                    return "double";
                case "BLOB" or "BYTEA":
                    return "bytes";
                case "VARCHAR":
                    SkipParenthesized();
                    return "string";
                default:
                    // Dates, times, UUIDs, enums, JSON: none is part of a survey's alert record; kept as text.
                    while (_at < text.Length && text[_at] is not (',' or ')' or '['))
                    {
                        _at++;
                    }

                    return "string";
            }
        }

        private string Identifier()
        {
            if (TryTake('"'))
            {
                var sb = new StringBuilder();
                while (_at < text.Length)
                {
                    if (text[_at] == '"')
                    {
                        if (_at + 1 < text.Length && text[_at + 1] == '"')
                        {
                            sb.Append('"');
                            _at += 2;
                            continue;
                        }

                        _at++;
                        return sb.ToString();
                    }

                    sb.Append(text[_at++]);
                }

                throw new FormatException($"unterminated quoted name in the column type '{text}'");
            }

            return Word();
        }

        private string Word()
        {
            var start = _at;
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] == '_'))
            {
                _at++;
            }

            return start == _at
                ? throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"expected a name at {start} of the column type '{text}'"))
                : text[start.._at];
        }

        private void SkipParenthesized()
        {
            SkipSpace();
            if (!TryTake('('))
            {
                return;
            }

            while (_at < text.Length && text[_at] != ')')
            {
                _at++;
            }

            Expect(')');
        }

        private bool Peek(string s) => string.CompareOrdinal(text, _at, s, 0, s.Length) == 0;

        private bool TryTake(char c)
        {
            SkipSpace();
            if (_at < text.Length && text[_at] == c)
            {
                _at++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"expected '{c}' at {_at} of the column type '{text}'"));
            }
        }

        private void SkipSpace()
        {
            while (_at < text.Length && text[_at] == ' ')
            {
                _at++;
            }
        }
    }
}
