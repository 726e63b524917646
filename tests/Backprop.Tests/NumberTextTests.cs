namespace Backprop.Tests;

public class NumberTextTests
{
    [Theory]
    [InlineData(0.7685247834990178, 6, "0.768525")]
    [InlineData(-0.4, 6, "-0.4")]
    [InlineData(-0.0, 6, "0")]
    [InlineData(2.16e-9, 3, "2.16e-9")]
    [InlineData(1e-6, 6, "1e-6")]
    [InlineData(3.940841e-5, 6, "3.94084e-5")]
    [InlineData(12345.678, 4, "1.235e4")]
    [InlineData(1e300, 6, "1e300")]
    [InlineData(double.NaN, 6, "NaN")]
    public void Numbers_are_written_one_way_with_a_short_exponent_and_an_ascii_minus(double value, int digits, string expected)
    {
        Assert.Equal(expected, NumberText.Of(value, digits));
    }
}
