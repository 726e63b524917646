namespace Backprop.Playground.Drawing;

/// <summary>
/// Where each neuron of the network drawing sits: one column per layer, inputs first, neurons stacked from the
/// top. Column 0 lists the input features shown (active or not); column l + 1 holds weighted layer l.
/// </summary>
internal sealed class NetworkLayout
{
    public const int ColumnGap = 84, RowGap = 10, Top = 8, Left = 46;

    public NetworkLayout(IReadOnlyList<int> columnHeights)
    {
        int tallest = columnHeights.Max();
        Size = tallest <= 8 ? 36 : tallest <= 16 ? 28 : 20;
        Columns = columnHeights.Count;
        Width = Left + Columns * Size + (Columns - 1) * ColumnGap + 8;
        Height = Top + tallest * (Size + RowGap);
    }

    /// <summary>A neuron's thumbnail side, in CSS pixels: smaller as layers grow, so 32 neurons still fit.</summary>
    public int Size { get; }
    public int Columns { get; }
    public int Width { get; }
    public int Height { get; }

    public int X(int column) => Left + column * (Size + ColumnGap);
    public int Y(int row) => Top + row * (Size + RowGap);

    /// <summary>A link from row <paramref name="k"/> of column c to row <paramref name="j"/> of column c + 1.</summary>
    public (int X1, int Y1, int X2, int Y2) Link(int column, int k, int j) =>
        (X(column) + Size, Y(k) + Size / 2, X(column + 1), Y(j) + Size / 2);

    /// <summary>Line width for a weight: thicker with |w|, from 0.5 px up to 5 px at |w| ≥ 3.</summary>
    public static double Thickness(float weight) => 0.5 + 1.5 * Math.Min(Math.Abs(weight), 3);

    /// <summary>W²[1,0]: layer number as a superscript, as in docs/notation.md.</summary>
    public static string Superscript(int number) =>
        string.Concat(number.ToString(System.Globalization.CultureInfo.InvariantCulture).Select(c => "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']));
}
