using Layan.Infrastructure.Db;
using Npgsql;
using Shouldly;

namespace Layan.Tests.Unit;

// The Npgsql settings Layan adds to an operator's PostgreSQL connection string, and that the
// operator's own choice of them wins.
public sealed class PostgresDefaultsTests
{
    [Fact]
    public void Pooled_connections_are_not_reset_and_keep_their_prepared_statements()
    {
        var built = new NpgsqlConnectionStringBuilder(DatabaseModule.PostgresDefaults("Host=db;Username=layan;Password=secret;Database=layan"));

        built.NoResetOnClose.ShouldBeTrue();
        built.MaxAutoPrepare.ShouldBe(200);
        built.Host.ShouldBe("db");
        built.Password.ShouldBe("secret");
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false", false, 200)]
    [InlineData("Host=db;Max Auto Prepare=0", true, 0)]
    [InlineData("Host=db;NoResetOnClose=false;MaxAutoPrepare=5", false, 5)]
    [InlineData("Host=db;Auto Prepare Min Usages=2", true, 200)]
    public void What_the_operator_sets_wins(string configured, bool noReset, int autoPrepare)
    {
        var built = new NpgsqlConnectionStringBuilder(DatabaseModule.PostgresDefaults(configured));

        built.NoResetOnClose.ShouldBe(noReset);
        built.MaxAutoPrepare.ShouldBe(autoPrepare);
    }
}
