namespace Backprop.Tests;

public class ShownTextTests
{
    [Fact]
    public void Control_characters_become_question_marks_and_long_text_is_cut_with_an_ellipsis()
    {
        Assert.Equal("?[31mred?", ShownText.Of("\u001b[31mred\u0007"));
        Assert.Equal("a?b?c", ShownText.Of("a\nb\u009bc"));
        Assert.Equal(new string('x', 60) + "…", ShownText.Of(new string('x', 100_000)));
        Assert.Equal("abc…", ShownText.Of("abcdef", 3));
        Assert.Equal("short", ShownText.Of("short"));
    }

    [Fact]
    public void A_surrogate_pair_is_never_cut_in_half()
    {
        string text = new string('x', 59) + "😀" + "tail";
        Assert.Equal(new string('x', 59) + "…", ShownText.Of(text));
    }
}
