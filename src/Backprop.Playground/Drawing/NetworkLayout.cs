namespace Backprop.Playground.Drawing;

/// <summary>
/// Where each neuron of the network drawing sits: one column per layer, inputs first, neurons stacked from the
/// top. Column 0 lists the input features shown (active or not); column l + 1 holds weighted layer l.
/// </summary>
internal sealed class NetworkLayout
{
    public const int ColumnGap = 84, RowGap = 10, Top = 8, Left = 46;

    /// <param name="columnHeights">Neurons per column, inputs first.</param>
    /// <param name="imageSide">Image inputs (the 8×8 digits): column 0 is one picture of side × side cells, each cell
    /// an input neuron, instead of a column of side² rows; 0 for a column of inputs.</param>
    public NetworkLayout(IReadOnlyList<int> columnHeights, int imageSide = 0)
    {
        int tallest = imageSide > 0 ? columnHeights.Skip(1).Max() : columnHeights.Max();
        Size = tallest <= 8 ? 36 : tallest <= 16 ? 28 : 20;
        ImageSide = imageSide;
        FirstWidth = imageSide > 0 ? imageSide * ImageCell : Size;
        Columns = columnHeights.Count;
        Width = Left + FirstWidth + (Columns - 1) * (Size + ColumnGap) + 8;
        Height = Math.Max(Top + tallest * (Size + RowGap), Top + FirstWidth + RowGap);
    }

    /// <summary>An input pixel's side in CSS pixels when column 0 is an image.</summary>
    public const int ImageCell = 12;

    /// <summary>Pixels per side of column 0's image; 0 when the inputs are a column.</summary>
    public int ImageSide { get; }

    /// <summary>Column 0's width: a neuron's, or the image's.</summary>
    public int FirstWidth { get; }

    /// <summary>A neuron's thumbnail side, in CSS pixels: smaller as layers grow, so 32 neurons still fit.</summary>
    public int Size { get; }
    public int Columns { get; }
    public int Width { get; }
    public int Height { get; }

    public int X(int column) => column == 0 ? Left : Left + FirstWidth + ColumnGap + (column - 1) * (Size + ColumnGap);
    public int Y(int row) => Top + row * (Size + RowGap);

    /// <summary>A link from row <paramref name="k"/> of column c to row <paramref name="j"/> of column c + 1; from an
    /// image's pixel k (row-major) its link starts at the pixel's centre.</summary>
    public (int X1, int Y1, int X2, int Y2) Link(int column, int k, int j) => column == 0 && ImageSide > 0
        ? (X(0) + k % ImageSide * ImageCell + ImageCell / 2, Top + k / ImageSide * ImageCell + ImageCell / 2, X(1), Y(j) + Size / 2)
        : (X(column) + Size, Y(k) + Size / 2, X(column + 1), Y(j) + Size / 2);

    /// <summary>Line width for a weight: thicker with |w|, from 0.5 px up to 5 px at |w| ≥ 3.</summary>
    public static double Thickness(float weight) => 0.5 + 1.5 * Math.Min(Math.Abs(weight), 3);

    /// <summary>W²[1,0]: layer number as a superscript, as in docs/notation.md.</summary>
    public static string Superscript(int number) =>
        string.Concat(number.ToString(System.Globalization.CultureInfo.InvariantCulture).Select(c => "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']));
}
