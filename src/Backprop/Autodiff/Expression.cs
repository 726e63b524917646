using System.Globalization;
using System.Text;

namespace Backprop.Autodiff;

/// <summary>
/// A function of the variables x1 … xn written as text, e.g. <c>"x1^2 + x2^2"</c> or <c>"sigmoid(2*x1 - 1)"</c>,
/// that can be evaluated or turned into a <see cref="Value"/> graph and differentiated.
/// </summary>
/// <remarks>
/// Grammar, loosest binding first:
/// <code>
/// sum      = product { ("+" | "-") product }        left-associative
/// product  = unary { ("*" | "/") unary }            left-associative
/// unary    = "-" unary | power
/// power    = primary [ "^" unary ]                  right-associative: 2^3^2 = 2^9
/// primary  = number | variable | function "(" sum ")" | "(" sum ")"
/// </code>
/// As in mathematics "^" binds tighter than unary minus: <c>-x1^2</c> is −(x1²). Numbers use the invariant
/// culture (<c>0.5</c>, <c>1e-3</c>); variables are x1, x2, …; functions are exp, ln (alias log), sin, cos,
/// sigmoid, tanh, relu and sqrt. Multiplication must be written: <c>2*x1</c>, not <c>2x1</c>.
/// </remarks>
public sealed class Expression
{
    /// <summary>How deeply operations may nest. Evaluation and printing recurse over the tree, and this keeps that
    /// recursion far from the end of the call stack; a longer sum can be split into several expressions.</summary>
    public const int MaxDepth = 500;

    static readonly string[] FunctionNames = ["exp", "ln", "log", "sin", "cos", "sigmoid", "tanh", "relu", "sqrt"];
    const string FunctionList = "exp, ln, log, sin, cos, sigmoid, tanh, relu, sqrt";

    readonly Node root;

    Expression(Node root, int variableCount)
    {
        this.root = root;
        VariableCount = variableCount;
    }

    /// <summary>The highest n among the variables xn used (x1 + x3 gives 3); 0 for a constant expression.</summary>
    public int VariableCount { get; }

    /// <summary>Parses <paramref name="text"/>; the typographic − × ÷ · are read as - * / *.</summary>
    /// <exception cref="BackpropException">The text is not an expression; the message gives the 1-based column.</exception>
    public static Expression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(PlainSymbols(text));
        Node root = parser.ParseWhole();
        return new Expression(root, parser.HighestVariable);
    }

    /// <summary>
    /// Lets the typographic − × ÷ · stand for - * / *, as a formula copied from a page is written. Each is one character
    /// for one, so the columns in a parse error still point into the text as typed.
    /// </summary>
    internal static string PlainSymbols(string text) =>
        text.Replace('−', '-').Replace('×', '*').Replace('÷', '/').Replace('·', '*');

    /// <summary>The value at x (x[0] is x1). x may be longer than <see cref="VariableCount"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> x)
    {
        CheckVariableCount(x.Length);
        return root.Evaluate(x);
    }

    /// <summary>
    /// A new graph computing this expression from <paramref name="variables"/> (variables[0] is x1); every
    /// number in the text becomes a constant leaf.
    /// </summary>
    public Value Build(IReadOnlyList<Value> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        CheckVariableCount(variables.Count);
        return root.Build(variables);
    }

    /// <summary>∇f at x: element i is ∂f/∂x(i+1), by building the graph and running <see cref="Value.Backward"/>.</summary>
    public double[] Gradient(ReadOnlySpan<double> x)
    {
        CheckVariableCount(x.Length);
        var variables = new Value[x.Length];
        for (int i = 0; i < x.Length; i++) variables[i] = new Value(x[i], "x" + (i + 1).ToString(CultureInfo.InvariantCulture));
        root.Build(variables).Backward();
        var gradient = new double[x.Length];
        for (int i = 0; i < x.Length; i++) gradient[i] = variables[i].Gradient;
        return gradient;
    }

    /// <summary>The expression in canonical form: single spaces around + − * /, none around ^, and only the
    /// parentheses the grammar needs. Parsing it again gives the same expression.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        root.Write(builder);
        return builder.ToString();
    }

    void CheckVariableCount(int count)
    {
        if (count < VariableCount)
            throw new BackpropException($"the expression uses x{VariableCount} but only {count} variable value(s) were given; pass at least {VariableCount}");
    }

    // ---- the tree ----

    // Binding strength, used by the printer to decide where parentheses are needed.
    const int SumPrecedence = 1, ProductPrecedence = 2, NegationPrecedence = 3, PowerPrecedence = 4, AtomPrecedence = 5;

    abstract class Node(int depth, bool hasVariables)
    {
        public int Depth { get; } = depth;
        public bool HasVariables { get; } = hasVariables;
        public abstract int Precedence { get; }
        public abstract double Evaluate(ReadOnlySpan<double> x);
        public abstract Value Build(IReadOnlyList<Value> variables);
        public abstract void Write(StringBuilder builder);

        protected static void Write(StringBuilder builder, Node node, bool parenthesize)
        {
            if (parenthesize) builder.Append('(');
            node.Write(builder);
            if (parenthesize) builder.Append(')');
        }
    }

    sealed class NumberNode(double number) : Node(1, false)
    {
        public override int Precedence => AtomPrecedence;
        public override double Evaluate(ReadOnlySpan<double> x) => number;
        public override Value Build(IReadOnlyList<Value> variables) => new(number);
        public override void Write(StringBuilder builder) => builder.Append(number.ToString(CultureInfo.InvariantCulture));
    }

    sealed class VariableNode(int index) : Node(1, true)
    {
        public override int Precedence => AtomPrecedence;
        public override double Evaluate(ReadOnlySpan<double> x) => x[index];
        public override Value Build(IReadOnlyList<Value> variables) => variables[index];
        public override void Write(StringBuilder builder) => builder.Append('x').Append(index + 1);
    }

    sealed class NegationNode(Node operand) : Node(operand.Depth + 1, operand.HasVariables)
    {
        public override int Precedence => NegationPrecedence;
        public override double Evaluate(ReadOnlySpan<double> x) => -operand.Evaluate(x);
        public override Value Build(IReadOnlyList<Value> variables) => -operand.Build(variables);

        public override void Write(StringBuilder builder)
        {
            builder.Append('-');
            // -(-x1) rather than --x1: both parse back the same, the first reads better.
            Write(builder, operand, operand.Precedence <= NegationPrecedence);
        }
    }

    sealed class FunctionNode(string name, Node argument) : Node(argument.Depth + 1, argument.HasVariables)
    {
        public override int Precedence => AtomPrecedence;

        public override double Evaluate(ReadOnlySpan<double> x)
        {
            double a = argument.Evaluate(x);
            return name switch
            {
                "exp" => Math.Exp(a),
                "ln" => Math.Log(a),
                "sin" => Math.Sin(a),
                "cos" => Math.Cos(a),
                "sigmoid" => ScalarFunctions.Sigmoid(a),
                "tanh" => Math.Tanh(a),
                "relu" => ScalarFunctions.Relu(a),
                "sqrt" => Math.Sqrt(a),
                _ => throw new InvalidOperationException("unreachable: unknown function " + name),
            };
        }

        public override Value Build(IReadOnlyList<Value> variables)
        {
            Value a = argument.Build(variables);
            return name switch
            {
                "exp" => a.Exp(),
                "ln" => a.Log(),
                "sin" => a.Sin(),
                "cos" => a.Cos(),
                "sigmoid" => a.Sigmoid(),
                "tanh" => a.Tanh(),
                "relu" => a.Relu(),
                "sqrt" => a.Sqrt(),
                _ => throw new InvalidOperationException("unreachable: unknown function " + name),
            };
        }

        public override void Write(StringBuilder builder)
        {
            builder.Append(name).Append('(');
            argument.Write(builder);
            builder.Append(')');
        }
    }

    sealed class BinaryNode(char operation, Node left, Node right)
        : Node(Math.Max(left.Depth, right.Depth) + 1, left.HasVariables || right.HasVariables)
    {
        public override int Precedence => operation switch
        {
            '+' or '-' => SumPrecedence,
            '*' or '/' => ProductPrecedence,
            _ => PowerPrecedence,
        };

        public override double Evaluate(ReadOnlySpan<double> x)
        {
            double a = left.Evaluate(x), b = right.Evaluate(x);
            return operation switch
            {
                '+' => a + b,
                '-' => a - b,
                '*' => a * b,
                '/' => a / b,
                _ => Math.Pow(a, b),
            };
        }

        public override Value Build(IReadOnlyList<Value> variables)
        {
            Value a = left.Build(variables);
            if (operation == '^')
            {
                // A constant exponent (x1^2, x1^(1/3)) is part of the operation, as in micrograd: the graph then
                // has no ∂/∂exponent = aᵇ·ln a, which is NaN for a negative base.
                return right.HasVariables ? a.Pow(right.Build(variables)) : a.Pow(right.Evaluate([]));
            }
            Value b = right.Build(variables);
            return operation switch
            {
                '+' => a + b,
                '-' => a - b,
                '*' => a * b,
                _ => a / b,
            };
        }

        public override void Write(StringBuilder builder)
        {
            if (operation == '^')
            {
                // Right-associative: the base needs parentheses for another power (or a negation), the exponent
                // only for something looser than unary minus, since the grammar reads "x1^-2".
                Write(builder, left, left.Precedence <= PowerPrecedence);
                builder.Append('^');
                Write(builder, right, right.Precedence < NegationPrecedence);
                return;
            }
            // Left-associative: x1 - x2 - x3 is (x1 - x2) - x3, so only the right operand at the same level needs them.
            Write(builder, left, left.Precedence < Precedence);
            builder.Append(' ').Append(operation).Append(' ');
            Write(builder, right, right.Precedence <= Precedence);
        }
    }

    // ---- tokens and parsing ----

    enum TokenKind { Number, Name, Symbol, End }

    readonly record struct Token(TokenKind Kind, string Text, int Column, double Number = 0)
    {
        public bool Is(char symbol) => Kind == TokenKind.Symbol && Text[0] == symbol;

        public string Describe() => Kind switch
        {
            TokenKind.Number => "the number " + Text,
            TokenKind.End => "the end of the expression",
            _ => "'" + Text + "'",
        };
    }

    sealed class Parser
    {
        readonly string text;
        readonly List<Token> tokens;
        int position;
        int nesting;

        public Parser(string text)
        {
            this.text = text;
            tokens = Tokenize();
        }

        public int HighestVariable { get; private set; }

        Token Current => tokens[position];

        public Node ParseWhole()
        {
            Node node = ParseSum();
            if (Current.Kind == TokenKind.End) return node;
            if (Current.Is(')')) throw Error(Current.Column, "')' has no matching '('");
            throw Error(Current.Column,
                $"expected an operator or the end of the expression, found {Current.Describe()}; multiplication must be written with '*'");
        }

        Node ParseSum()
        {
            Node node = ParseProduct();
            while (Current.Is('+') || Current.Is('-'))
            {
                Token operation = tokens[position++];
                node = Checked(new BinaryNode(operation.Text[0], node, ParseProduct()), operation);
            }
            return node;
        }

        Node ParseProduct()
        {
            Node node = ParseUnary();
            while (Current.Is('*') || Current.Is('/'))
            {
                Token operation = tokens[position++];
                node = Checked(new BinaryNode(operation.Text[0], node, ParseUnary()), operation);
            }
            return node;
        }

        // Every recursion of the parser (parentheses, function arguments, unary minus, exponents) passes through
        // here, so counting here bounds the parser's own call depth.
        Node ParseUnary()
        {
            if (++nesting > MaxDepth)
                throw Error(Current.Column, $"the expression nests more than {MaxDepth} levels deep; split it into smaller expressions");
            try
            {
                if (!Current.Is('-')) return ParsePower();
                Token minus = tokens[position++];
                return Checked(new NegationNode(ParseUnary()), minus);
            }
            finally
            {
                nesting--;
            }
        }

        Node ParsePower()
        {
            Node node = ParsePrimary();
            if (!Current.Is('^')) return node;
            Token caret = tokens[position++];
            return Checked(new BinaryNode('^', node, ParseUnary()), caret);
        }

        Node ParsePrimary()
        {
            Token token = Current;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    position++;
                    return new NumberNode(token.Number);
                case TokenKind.Name:
                    position++;
                    return Current.Is('(') ? ParseFunction(token) : Variable(token);
                case TokenKind.Symbol when token.Is('('):
                    position++;
                    Node inner = ParseSum();
                    ExpectClosing(token);
                    return inner;
                default:
                    // Python's and Fortran's power operator: "x1**2" reaches here at the second '*'.
                    string hint = token.Is('*') && position > 0 && tokens[position - 1].Is('*') && tokens[position - 1].Column == token.Column - 1
                        ? "; powers are written with '^', like x1^2, not '**'" : "";
                    throw Error(token.Column, $"expected a number, variable, function or '(', found {token.Describe()}{hint}");
            }
        }

        Node ParseFunction(Token name)
        {
            if (Array.IndexOf(FunctionNames, name.Text) < 0)
                throw Error(name.Column, $"unknown function '{name.Text}'; the functions are {FunctionList}");
            Token open = tokens[position++];
            Node argument = ParseSum();
            ExpectClosing(open);
            return Checked(new FunctionNode(name.Text == "log" ? "ln" : name.Text, argument), name);
        }

        Node Variable(Token name)
        {
            if (Array.IndexOf(FunctionNames, name.Text) >= 0)
                throw Error(Current.Column, $"expected '(' after the function '{name.Text}', found {Current.Describe()}");
            string digits = name.Text.Length > 1 && name.Text[0] == 'x' ? name.Text[1..] : "";
            bool numbered = digits.Length > 0 && digits[0] != '0' && digits.All(char.IsAsciiDigit);
            if (!numbered || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                throw Error(name.Column, $"unknown name '{name.Text}'; variables are x1, x2, x3, ... and the functions are {FunctionList}");
            HighestVariable = Math.Max(HighestVariable, n);
            return new VariableNode(n - 1);
        }

        void ExpectClosing(Token open)
        {
            if (!Current.Is(')'))
                throw Error(Current.Column, $"expected ')' to close the '(' at column {open.Column}, found {Current.Describe()}");
            position++;
        }

        Node Checked(Node node, Token operation)
        {
            if (node.Depth > MaxDepth)
                throw Error(operation.Column, $"the expression nests more than {MaxDepth} operations deep; split it into smaller expressions");
            return node;
        }

        List<Token> Tokenize()
        {
            var list = new List<Token>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                int column = i + 1;
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    int start = i;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                    if (i < text.Length && text[i] == '.')
                    {
                        i++;
                        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                    }
                    // An exponent only when digits follow, so that "2exp(x1)" reads as 2 then exp and gets the
                    // implicit-multiplication message rather than "bad number".
                    if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                    {
                        int j = i + 1;
                        if (j < text.Length && (text[j] == '+' || text[j] == '-')) j++;
                        if (j < text.Length && char.IsAsciiDigit(text[j]))
                        {
                            i = j;
                            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                        }
                    }
                    string literal = text[start..i];
                    double number = double.Parse(literal, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
                    if (double.IsInfinity(number))
                        throw Error(column, $"the number {literal} is too large for a double");
                    list.Add(new Token(TokenKind.Number, literal, column, number));
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    int start = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                    list.Add(new Token(TokenKind.Name, text[start..i], column));
                }
                else if ("+-*/^()".Contains(c))
                {
                    list.Add(new Token(TokenKind.Symbol, c.ToString(), column));
                    i++;
                }
                else
                {
                    string shown = char.IsControl(c) || char.IsSurrogate(c) || c > '~'
                        ? $"U+{(int)c:X4}" : $"'{c}'";
                    throw Error(column, $"unexpected character {shown}; expressions use numbers, x1 ... xn, + - * / ^, parentheses and {FunctionList}");
                }
            }
            list.Add(new Token(TokenKind.End, "", text.Length + 1));
            return list;
        }

        BackpropException Error(int column, string problem)
        {
            // The message must stay on one line, so line breaks and tabs in the text are shown as spaces; this keeps
            // every character in its column.
            var shown = new StringBuilder(text.Length);
            foreach (char c in text) shown.Append(char.IsControl(c) ? ' ' : c);
            return new BackpropException($"bad expression \"{shown}\" at column {column}: {problem}");
        }
    }
}
