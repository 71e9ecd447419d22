using Layan.Infrastructure.Storage;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Layan.Tests.Unit;

// Covers the file store's guard: keys name files inside the store and nothing else.
public sealed class FileStoreTests
{
    private static readonly LocalFileStore Store = new(Options.Create(new StorageOptions { RootPath = Path.GetTempPath() }));

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("avatars/../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("avatars/a b.png")]
    [InlineData("avatars")]
    [InlineData("avatars/x.png/")]
    public void A_key_outside_the_store_is_refused(string key) =>
        Should.Throw<ArgumentException>(() => Store.OpenRead(key));

    [Fact]
    public async Task A_saved_file_reads_back_and_is_deleted()
    {
        var key = $"tests/{Guid.NewGuid():N}.txt";
        await Store.SaveAsync(key, new MemoryStream("hello"u8.ToArray()), TestContext.Current.CancellationToken);

        using (var reader = new StreamReader(Store.OpenRead(key)!))
        {
            (await reader.ReadToEndAsync(TestContext.Current.CancellationToken)).ShouldBe("hello");
        }
        Store.Delete(key);
        Store.Exists(key).ShouldBeFalse();
        Store.OpenRead(key).ShouldBeNull();
    }
}
