// The parsed form of a filter expression. Each node keeps the position of its first token, so the type checker
// can point at the part it rejects.
namespace Broker.Filters.Language;

public abstract record Node(TextPosition Position);

public sealed record NumberLiteral(TextPosition Position, double Value) : Node(Position);

public sealed record StringLiteral(TextPosition Position, string Value) : Node(Position);

public sealed record BoolLiteral(TextPosition Position, bool Value) : Node(Position);

public sealed record NullLiteral(TextPosition Position) : Node(Position);

/// <summary>A survey-neutral name (rb, mag, novelty.subspace) or a raw field path (candidate.magpsf).</summary>
public sealed record NameRef(TextPosition Position, string Name) : Node(Position);

public enum UnaryOp
{
    Not,
    Negate,
}

public sealed record Unary(TextPosition Position, UnaryOp Op, Node Operand) : Node(Position);

public enum BinaryOp
{
    And,
    Or,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
}

public sealed record Binary(TextPosition Position, BinaryOp Op, Node Left, Node Right) : Node(Position);

public sealed record InList(TextPosition Position, Node Operand, IReadOnlyList<Node> Items, bool Negated) : Node(Position);

public sealed record Between(TextPosition Position, Node Operand, Node Low, Node High, bool Negated) : Node(Position);

public sealed record IsNull(TextPosition Position, Node Operand, bool Negated) : Node(Position);

public sealed record Call(TextPosition Position, string Function, IReadOnlyList<Node> Arguments) : Node(Position);
