// The filter language's tokens: numbers, 'single' or "double" quoted strings, names with dots
// (candidate.magpsf, novelty.subspace), operators, and keywords (and or not in between is null true false).
// `#` starts a comment to the end of the line. Every token carries its position for error messages.
using System.Globalization;

namespace Broker.Filters.Language;

public enum TokenKind
{
    Number,
    String,
    Name,
    And,
    Or,
    Not,
    In,
    Between,
    Is,
    Null,
    True,
    False,
    LeftParen,
    RightParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    End,
}

/// <summary>A position in the filter text: 1-based line and column.</summary>
public readonly record struct TextPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

public readonly record struct Token(TokenKind Kind, string Text, TextPosition Position, double Number = 0);

public static class Lexer
{
    /// <summary>Longest accepted filter text: a filter is a few lines, and the parser's work stays bounded.</summary>
    public const int MaxLength = 20_000;

    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["and"] = TokenKind.And,
        ["or"] = TokenKind.Or,
        ["not"] = TokenKind.Not,
        ["in"] = TokenKind.In,
        ["between"] = TokenKind.Between,
        ["is"] = TokenKind.Is,
        ["null"] = TokenKind.Null,
        ["true"] = TokenKind.True,
        ["false"] = TokenKind.False,
    };

    /// <summary>The tokens of <paramref name="text"/>, ending with <see cref="TokenKind.End"/>.</summary>
    /// <param name="origin">Where the text starts in its file (for a filter file's `where:` block).</param>
    public static List<Token> Tokenize(string text, TextPosition origin = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        origin = origin == default ? new TextPosition(1, 1) : origin;
        if (text.Length > MaxLength)
        {
            throw new FilterSyntaxException(origin, $"the expression is {text.Length} characters long; at most {MaxLength} are accepted");
        }

        var tokens = new List<Token>();
        int line = origin.Line, lineStart = -(origin.Column - 1), i = 0;
        TextPosition At(int index) => new(line, index - lineStart + 1);

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                i++;
                line++;
                lineStart = i;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            var start = i;
            var position = At(i);
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(ReadNumber(text, ref i, position));
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(ReadString(text, ref i, position));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                {
                    i++;
                }

                var word = text[start..i];
                if (word.EndsWith('.') || word.Contains("..", StringComparison.Ordinal))
                {
                    throw new FilterSyntaxException(position, $"'{word}' is not a name: a dot must join two parts (candidate.magpsf)");
                }

                tokens.Add(Keywords.TryGetValue(word, out var keyword) ? new Token(keyword, word, position) : new Token(TokenKind.Name, word, position));
            }
            else
            {
                tokens.Add(ReadOperator(text, ref i, position));
            }
        }

        // "The end" is where the text ends, not after trailing blank lines: errors there point at the last line.
        var end = text.TrimEnd().Length;
        var endLine = origin.Line + text.AsSpan(0, end).Count('\n');
        var lastBreak = text.LastIndexOf('\n', Math.Max(0, end - 1));
        var endColumn = lastBreak < 0 || lastBreak >= end ? origin.Column + end : end - lastBreak;
        tokens.Add(new Token(TokenKind.End, string.Empty, new TextPosition(endLine, endColumn)));
        return tokens;
    }

    private static Token ReadNumber(string text, ref int i, TextPosition position)
    {
        var start = i;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        var literal = text[start..i];
        if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new FilterSyntaxException(position, $"'{literal}' is not a number");
        }

        if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
        {
            throw new FilterSyntaxException(position, $"a number runs into a name at '{literal}{text[i]}'");
        }

        return new Token(TokenKind.Number, literal, position, value);
    }

    private static Token ReadString(string text, ref int i, TextPosition position)
    {
        var quote = text[i++];
        var builder = new System.Text.StringBuilder();
        while (true)
        {
            if (i >= text.Length || text[i] == '\n')
            {
                throw new FilterSyntaxException(position, "a string is not closed on its line");
            }

            if (text[i] == quote)
            {
                // A doubled quote stands for the quote itself, as in SQL: 'O''Brien'.
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    builder.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                return new Token(TokenKind.String, builder.ToString(), position);
            }

            builder.Append(text[i++]);
        }
    }

    private static Token ReadOperator(string text, ref int i, TextPosition position)
    {
        var c = text[i];
        var next = i + 1 < text.Length ? text[i + 1] : '\0';
        (TokenKind Kind, int Length) op = (c, next) switch
        {
            ('(', _) => (TokenKind.LeftParen, 1),
            (')', _) => (TokenKind.RightParen, 1),
            (',', _) => (TokenKind.Comma, 1),
            ('+', _) => (TokenKind.Plus, 1),
            ('-', _) => (TokenKind.Minus, 1),
            ('*', _) => (TokenKind.Star, 1),
            ('/', _) => (TokenKind.Slash, 1),
            ('%', _) => (TokenKind.Percent, 1),
            ('=', '=') => (TokenKind.Equal, 2),
            ('=', _) => (TokenKind.Equal, 1),
            ('!', '=') => (TokenKind.NotEqual, 2),
            ('<', '>') => (TokenKind.NotEqual, 2),
            ('<', '=') => (TokenKind.LessEqual, 2),
            ('<', _) => (TokenKind.Less, 1),
            ('>', '=') => (TokenKind.GreaterEqual, 2),
            ('>', _) => (TokenKind.Greater, 1),
            _ => throw new FilterSyntaxException(position, $"unexpected character '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())}'"),
        };
        i += op.Length;
        return new Token(op.Kind, text.Substring(i - op.Length, op.Length), position);
    }
}
