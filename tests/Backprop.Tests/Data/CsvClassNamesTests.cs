using Backprop.Data;

namespace Backprop.Tests.Data;

/// <summary>Labels that are words, and scikit-learn's header line.</summary>
public class CsvClassNamesTests
{
    static Dataset ReadText(string text, int? labelColumn = null, IReadOnlyList<string>? classNames = null)
    {
        using var dir = new TempDirectory();
        return CsvReader.Read(dir.WriteText("data.csv", text), labelColumn, classNames: classNames);
    }

    static void FailsWith(string text, params string[] fragments)
    {
        using var dir = new TempDirectory();
        string path = dir.WriteText("data.csv", text);
        Expect.Failure(() => CsvReader.Read(path), [path, .. fragments]);
    }

    [Fact]
    public void Word_labels_are_numbered_in_sorted_order_whatever_the_row_order()
    {
        var data = ReadText("1,2,dog\n3,4,cat\n5,6,emu\n7,8,cat\n");

        Assert.Equal(["cat", "dog", "emu"], data.ClassNames!);
        Assert.Equal([1, 0, 2, 0], data.Labels);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], data.Features);
    }

    [Fact]
    public void A_header_of_names_before_word_labels_is_skipped()
    {
        var data = ReadText("sepal,petal,species\n1,2,setosa\n3,4,virginica\n");

        Assert.Equal(["setosa", "virginica"], data.ClassNames!);
        Assert.Equal([0, 1], data.Labels);
        Assert.Equal(2, data.Count);
    }

    [Fact]
    public void A_first_row_with_numeric_features_and_a_word_label_is_data_when_the_next_label_is_a_word_too()
    {
        var data = ReadText("0,1,label\n5,6,other\n");

        Assert.Equal(["label", "other"], data.ClassNames!);
        Assert.Equal([0, 1], data.Labels);
        Assert.Equal([0f, 1f, 5f, 6f], data.Features);
    }

    [Fact]
    public void Known_class_names_number_the_words_as_the_model_does()
    {
        var data = ReadText("1,2,virginica\n3,4,setosa\n", classNames: ["setosa", "versicolor", "virginica"]);

        Assert.Equal([2, 0], data.Labels);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal(["setosa", "versicolor", "virginica"], data.ClassNames!);
    }

    [Fact]
    public void A_word_the_model_does_not_know_is_refused_by_name()
    {
        using var dir = new TempDirectory();
        string path = dir.WriteText("data.csv", "1,2,setosa\n3,4,tulip\n");
        Expect.Failure(() => CsvReader.Read(path, classNames: ["setosa", "virginica"]),
            path, "line 2, column 3: class \"tulip\" is not one the model knows (setosa, virginica)");
    }

    [Fact]
    public void The_scikit_learn_header_gives_the_class_names_of_numeric_labels()
    {
        // The first lines of scikit-learn's wine_data.csv, with 3 of its 178 rows and 2 of its 13 features.
        var data = ReadText("3,2,class_0,class_1,class_2\n14.23,1.71,0\n13.2,1.78,2\n12.37,0.94,1\n");

        Assert.Equal(["class_0", "class_1", "class_2"], data.ClassNames!);
        Assert.Equal([0, 2, 1], data.Labels);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal([14.23f, 1.71f, 13.2f, 1.78f, 12.37f, 0.94f], data.Features);
    }

    [Fact]
    public void Scikit_learns_iris_file_reads_as_150_examples_of_4_features_and_3_named_classes()
    {
        // Debian's python3-sklearn (installed by .ci/run).
        const string iris = "/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv";
        var data = CsvReader.Read(iris);

        Assert.Equal(150, data.Count);
        Assert.Equal(4, data.FeatureCount);
        Assert.Equal(["setosa", "versicolor", "virginica"], data.ClassNames!);
        Assert.Equal([5.1f, 3.5f, 1.4f, 0.2f], data.Example(0).ToArray());
        Assert.Equal(50, data.Labels.Count(l => l == 2));
    }

    [Fact]
    public void A_scikit_learn_header_whose_example_count_is_wrong_says_which_number_to_fix()
    {
        FailsWith("5,2,a,b\n1,2,0\n3,4,1\n", "the scikit-learn header on line 1 promises 5 examples but the file holds 2; correct the first number of line 1");
    }

    [Fact]
    public void A_scikit_learn_header_with_too_few_names_names_the_label_without_one()
    {
        FailsWith("2,2,a,b\n1,2,0\n3,4,2\n", "label 2 has no name: the scikit-learn header on line 1 names 2 classes, 0 to 1; add its name to line 1");
    }

    [Fact]
    public void A_header_that_does_not_fit_the_rows_says_what_is_wrong_and_how_to_fix_it()
    {
        FailsWith("a,b,c,d,e\n1,2,3,4,5,6,7,0\n",
            "line 1 looks like a header of 5 column names but line 2 has 8 columns; a header names every column once (the features and the label), or is scikit-learn's \"samples,features,class names…\" line — fix line 1 to match the data, or delete it");
    }

    [Fact]
    public void One_word_for_every_label_is_not_a_classification()
    {
        FailsWith("1,2,cat\n3,4,cat\n", "every label is \"cat\"; a classifier needs examples of at least two classes");
    }

    [Fact]
    public void Labels_that_look_like_measurements_ask_for_a_regression()
    {
        var rows = string.Concat(Enumerable.Range(0, 101).Select(i => $"{i},{i + 25}\n"));
        FailsWith(rows, "the labels take 101 different values, more than 100; they look like measurements, not classes: read them with CsvReader.ReadRegression (or choose the class column with labelColumn)");
        FailsWith("1,2.5\n2,3.5\n", "line 1, column 2: label \"2.5\" is not a non-negative integer", "a measurement needs CsvReader.ReadRegression");
    }

    [Fact]
    public void Predict_inputs_skip_a_scikit_learn_header()
    {
        using var dir = new TempDirectory();
        var inputs = CsvReader.ReadInputs(dir.WriteText("data.csv", "2,2,a,b\n1,2,0\n3,4,1\n"), 2);
        Assert.Equal([1f, 2f, 3f, 4f], inputs);
    }
}
