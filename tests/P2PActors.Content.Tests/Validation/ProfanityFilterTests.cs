using P2PActors.Content.Validation;

namespace P2PActors.Content.Tests.Validation;

public class ProfanityFilterTests
{
    private static readonly ProfanityFilter Filter = ProfanityFilter.Default;

    [Theory]
    [InlineData("fuck")]
    [InlineData("FUCK")]
    [InlineData("FuCk off")]
    [InlineData("what the fuuuuuck")]
    [InlineData("ffffuuuucccckkkk")]
    [InlineData("motherfucker")]
    [InlineData("absofuckinglutely")]
    [InlineData("f.u.c.k")]
    [InlineData("f u c k")]
    [InlineData("f-u-c-k")]
    [InlineData("f_u_c_k you")]
    [InlineData("f . u . c . k")]
    [InlineData("f u u u u u c k")]
    [InlineData("fück")]
    [InlineData("fu\u0308ck")]
    [InlineData("ｆｕｃｋ")]
    [InlineData("𝐟𝐮𝐜𝐤")]
    [InlineData("ƒuck")]
    [InlineData("fu\u200Bck")]
    [InlineData("shit")]
    [InlineData("5h1t")]
    [InlineData("$h!t happens")]
    [InlineData("sh1tty")]
    [InlineData("s.h.i.t")]
    [InlineData("sh.it")]
    [InlineData("s h i t")]
    [InlineData("shіt")] // Cyrillic і
    [InlineData("ЅНІТ")] // Cyrillic capitals
    [InlineData("bullshit")]
    [InlineData("ass")]
    [InlineData("@ss")]
    [InlineData("a$$")]
    [InlineData("4ss")]
    [InlineData("a55")]
    [InlineData("aaassss")]
    [InlineData("a s s")]
    [InlineData("kiss my ass!")]
    [InlineData("a s s h o l e")]
    [InlineData("ASSHOLES")]
    [InlineData("b1tch")]
    [InlineData("bitches")]
    [InlineData("Bìtçh")]
    [InlineData("βitch")]
    [InlineData("c0cksuck3r")]
    [InlineData("cunt")]
    [InlineData("the c.u.n.t")]
    [InlineData("n1gg3r")]
    [InlineData("f4gg0t")]
    [InlineData("r3tard3d")]
    [InlineData("wh0re")]
    [InlineData("Sir Shithead the Bold")]
    [InlineData("piss off")]
    [InlineData("pi$$ed")]
    [InlineData("the rapist")]
    public void Evasions_are_caught(string text) =>
        Assert.NotEmpty(Filter.FindMatches(text));

    [Theory]
    [InlineData("class")]
    [InlineData("classic")]
    [InlineData("assassin")]
    [InlineData("Assassin's Creed")]
    [InlineData("assess")]
    [InlineData("assessment")]
    [InlineData("bass")]
    [InlineData("passage")]
    [InlineData("embassy")]
    [InlineData("Scunthorpe")]
    [InlineData("grape")]
    [InlineData("drape")]
    [InlineData("therapist")]
    [InlineData("Dickens")]
    [InlineData("cockatrice")]
    [InlineData("peacock")]
    [InlineData("cocktail")]
    [InlineData("shiitake")]
    [InlineData("cumin")]
    [InlineData("document")]
    [InlineData("circumference")]
    [InlineData("Sussex")]
    [InlineData("analysis")]
    [InlineData("hello")]
    [InlineData("shell")]
    [InlineData("title")]
    [InlineData("titan")]
    [InlineData("arsenal")]
    [InlineData("spicy")]
    [InlineData("raccoon")]
    [InlineData("snigger")]
    [InlineData("retardant")]
    [InlineData("pricked")]
    [InlineData("scrap")]
    [InlineData("Bastard Sword of the Great Tit")]
    [InlineData("A chink in the armour")]
    [InlineData("Kill 10 wolves near the pass")]
    [InlineData("Deliver 5 potions to Ashwood")]
    [InlineData("as said")]
    [InlineData("Plan B is a good idea")]
    [InlineData("Vitamin A and C")]
    [InlineData("I am a mage")]
    [InlineData("Hello!")]
    [InlineData("Don't pass, it's grass")]
    [InlineData("well-known class-based classics")]
    [InlineData("Brass Assassin's Embassy")]
    [InlineData("Ser Hancock of Middlesex")]
    [InlineData("Москва")]
    [InlineData("Ἀθῆναι")]
    [InlineData("")]
    public void Innocent_text_passes(string text) =>
        Assert.Empty(Filter.FindMatches(text));

    [Fact]
    public void Matches_name_the_list_entry()
    {
        var match = Assert.Single(Filter.FindMatches("a$$"));
        Assert.Equal("ass", match.Entry);
        Assert.Equal("ass", match.Matched);
    }

    [Fact]
    public void Shipped_list_is_substantial_and_parses()
    {
        Assert.True(Filter.Entries.Count >= 80, $"only {Filter.Entries.Count} entries");
        Assert.Contains("*fuck*", Filter.Entries);
    }

    [Fact]
    public void List_loads_from_a_configurable_path_and_extends_the_default()
    {
        var path = Path.Combine(Path.GetTempPath(), $"words-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, ["# custom words", "grobnak+", "zorp*"]);
        try
        {
            var onlyCustom = ProfanityFilter.Load(path);
            Assert.False(onlyCustom.IsClean("You GR0BN4KS"));
            Assert.False(onlyCustom.IsClean("zorpington"));
            Assert.True(onlyCustom.IsClean("fuck"));

            var extended = ProfanityFilter.Load(path, includeEmbedded: true);
            Assert.False(extended.IsClean("g r o b n a k"));
            Assert.False(extended.IsClean("fuck"));
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Same(ProfanityFilter.Default, ProfanityFilter.Load(null));
        Assert.Throws<FileNotFoundException>(() => ProfanityFilter.Load(path));
    }

    [Theory]
    [InlineData("*half")]
    [InlineData("x")]
    [InlineData("two words")]
    [InlineData("l33t")]
    public void Malformed_list_entries_are_refused_with_their_line(string entry)
    {
        var error = Assert.Throws<FormatException>(() => ProfanityFilter.FromLines(["good", entry]));
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Whole_word_entries_ignore_endings_unless_marked()
    {
        var filter = ProfanityFilter.FromLines(["gloop", "blarg+"]);
        Assert.False(filter.IsClean("gloop"));
        Assert.True(filter.IsClean("gloops"));
        Assert.False(filter.IsClean("blargers"));
        Assert.True(filter.IsClean("blargonaut"));
    }

    [Fact]
    public void Long_runs_of_single_letters_stay_cheap_and_correct()
    {
        var text = string.Join(' ', Enumerable.Repeat("a b c d e", 2000)) + " f u c k";
        var match = Assert.Single(Filter.FindMatches(text));
        Assert.Equal("*fuck*", match.Entry);
    }
}
