namespace Backprop.Tests;

public class MemoryBudgetTests
{
    [Fact]
    public void The_budget_is_what_the_collector_says_the_process_may_have()
    {
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, MemoryBudget.Available);
        using (MemoryBudget.LimitForTests(1000)) Assert.Equal(1000, MemoryBudget.Available);
    }

    [Fact]
    public void A_request_beyond_it_names_both_sizes()
    {
        using var limit = MemoryBudget.LimitForTests(1_500_000_000);
        MemoryBudget.Require(1_000_000_000, "f", "x", "y");
        var error = Assert.Throws<BackpropException>(() => MemoryBudget.Require(8_000_000_000, "data.idx", "2 images", "use fewer"));
        Assert.Equal("data.idx: 2 images needs about 8.0 GB (8,000,000,000 bytes) of memory, but this process can have only 1.5 GB (1,500,000,000 bytes); use fewer", error.Message);
    }
}
