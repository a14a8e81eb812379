// Recursive descent over the tokens, loosest binding first:
//   expr       := and ('or' and)*
//   and        := not ('and' not)*
//   not        := 'not' not | predicate
//   predicate  := sum [ ('=' | '!=' | '<' | '<=' | '>' | '>=') sum
//                     | 'not'? 'in' '(' sum (',' sum)* ')'
//                     | 'not'? 'between' sum 'and' sum
//                     | 'is' 'not'? 'null' ]
//   sum        := product (('+' | '-') product)*
//   product    := unary (('*' | '/' | '%') unary)*
//   unary      := '-' unary | primary
//   primary    := number | string | 'true' | 'false' | 'null' | name | name '(' [expr (',' expr)*] ')' | '(' expr ')'
// Nesting is bounded (MaxDepth), so no text can exhaust the stack.
namespace Broker.Filters.Language;

public sealed class Parser
{
    public const int MaxDepth = 64;

    /// <summary>Most tokens in one filter: long operator chains make deep trees for the checker and compiler.</summary>
    public const int MaxTokens = 2_000;

    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    private Parser(List<Token> tokens) => _tokens = tokens;

    public static Node Parse(string text, TextPosition origin = default)
    {
        var tokens = Lexer.Tokenize(text, origin);
        if (tokens.Count > MaxTokens)
        {
            throw new FilterSyntaxException(tokens[MaxTokens].Position, $"the expression has more than {MaxTokens} tokens");
        }

        var parser = new Parser(tokens);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw new FilterSyntaxException(parser.Peek.Position, "the expression is empty");
        }

        var node = parser.Expression();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw parser.Unexpected("the end of the expression");
        }

        return node;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private bool Accept(TokenKind kind)
    {
        if (Peek.Kind != kind)
        {
            return false;
        }

        _next++;
        return true;
    }

    private Token Expect(TokenKind kind, string what) => Peek.Kind == kind ? Take() : throw Unexpected(what);

    private FilterSyntaxException Unexpected(string expected)
    {
        var token = Peek;
        var found = token.Kind == TokenKind.End ? "the end of the text" : $"'{token.Text}'";
        return new FilterSyntaxException(token.Position, $"expected {expected}, found {found}");
    }

    /// <summary>Parses one nesting level deeper (parentheses, arguments, `not`, unary minus), bounded by MaxDepth.</summary>
    private Node Nested(TextPosition at, Func<Node> parse)
    {
        if (++_depth > MaxDepth)
        {
            throw new FilterSyntaxException(at, $"the expression nests deeper than {MaxDepth} levels");
        }

        var node = parse();
        _depth--;
        return node;
    }

    private Node Expression() => Nested(Peek.Position, Or);

    private Node Or()
    {
        var left = And();
        while (Peek.Kind == TokenKind.Or)
        {
            var op = Take();
            left = new Binary(op.Position, BinaryOp.Or, left, And());
        }

        return left;
    }

    private Node And()
    {
        var left = Not();
        while (Peek.Kind == TokenKind.And)
        {
            var op = Take();
            left = new Binary(op.Position, BinaryOp.And, left, Not());
        }

        return left;
    }

    private Node Not()
    {
        if (Peek.Kind != TokenKind.Not)
        {
            return Predicate();
        }

        var op = Take();
        return new Unary(op.Position, UnaryOp.Not, Nested(op.Position, Not));
    }

    private Node Predicate()
    {
        var left = Sum();
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessEqual or TokenKind.Greater or TokenKind.GreaterEqual:
                Take();
                var op = token.Kind switch
                {
                    TokenKind.Equal => BinaryOp.Equal,
                    TokenKind.NotEqual => BinaryOp.NotEqual,
                    TokenKind.Less => BinaryOp.Less,
                    TokenKind.LessEqual => BinaryOp.LessEqual,
                    TokenKind.Greater => BinaryOp.Greater,
                    _ => BinaryOp.GreaterEqual,
                };
                var right = Sum();
                if (Peek.Kind is TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessEqual or TokenKind.Greater or TokenKind.GreaterEqual)
                {
                    throw new FilterSyntaxException(Peek.Position, "comparisons do not chain: write 'a < b and b < c', or 'b between a and c'");
                }

                return new Binary(token.Position, op, left, right);
            case TokenKind.Is:
                Take();
                var negated = Accept(TokenKind.Not);
                Expect(TokenKind.Null, "'null' after 'is'");
                return new IsNull(token.Position, left, negated);
            case TokenKind.Not when _tokens[_next + 1].Kind is TokenKind.In or TokenKind.Between:
                Take();
                return Take().Kind == TokenKind.In ? In(token, left, true) : BetweenRest(token, left, true);
            case TokenKind.In:
                Take();
                return In(token, left, false);
            case TokenKind.Between:
                Take();
                return BetweenRest(token, left, false);
            default:
                return left;
        }
    }

    private InList In(Token at, Node operand, bool negated)
    {
        Expect(TokenKind.LeftParen, "'(' to open the list after 'in'");
        var items = new List<Node> { Sum() };
        while (Accept(TokenKind.Comma))
        {
            items.Add(Sum());
        }

        Expect(TokenKind.RightParen, "',' or ')' in the list after 'in'");
        return new InList(at.Position, operand, items, negated);
    }

    private Between BetweenRest(Token at, Node operand, bool negated)
    {
        var low = Sum();
        Expect(TokenKind.And, "'and' between the bounds of 'between'");
        return new Between(at.Position, operand, low, Sum(), negated);
    }

    private Node Sum()
    {
        var left = Product();
        while (Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Take();
            left = new Binary(op.Position, op.Kind == TokenKind.Plus ? BinaryOp.Add : BinaryOp.Subtract, left, Product());
        }

        return left;
    }

    private Node Product()
    {
        var left = UnaryMinus();
        while (Peek.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Take();
            var kind = op.Kind switch
            {
                TokenKind.Star => BinaryOp.Multiply,
                TokenKind.Slash => BinaryOp.Divide,
                _ => BinaryOp.Modulo,
            };
            left = new Binary(op.Position, kind, left, UnaryMinus());
        }

        return left;
    }

    private Node UnaryMinus()
    {
        if (Peek.Kind != TokenKind.Minus)
        {
            return Primary();
        }

        var op = Take();
        return new Unary(op.Position, UnaryOp.Negate, Nested(op.Position, UnaryMinus));
    }

    private Node Primary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Take();
                return new NumberLiteral(token.Position, token.Number);
            case TokenKind.String:
                Take();
                return new StringLiteral(token.Position, token.Text);
            case TokenKind.True or TokenKind.False:
                Take();
                return new BoolLiteral(token.Position, token.Kind == TokenKind.True);
            case TokenKind.Null:
                Take();
                return new NullLiteral(token.Position);
            case TokenKind.LeftParen:
                Take();
                var inner = Expression();
                Expect(TokenKind.RightParen, "')'");
                return inner;
            case TokenKind.Name:
                Take();
                return Accept(TokenKind.LeftParen) ? CallRest(token) : new NameRef(token.Position, token.Text);
            default:
                throw Unexpected("a value, a name or '('");
        }
    }

    private Call CallRest(Token name)
    {
        var arguments = new List<Node>();
        if (!Accept(TokenKind.RightParen))
        {
            arguments.Add(Expression());
            while (Accept(TokenKind.Comma))
            {
                arguments.Add(Expression());
            }

            Expect(TokenKind.RightParen, "',' or ')' in the arguments of " + name.Text);
        }

        return new Call(name.Position, name.Text.ToLowerInvariant(), arguments);
    }
}
