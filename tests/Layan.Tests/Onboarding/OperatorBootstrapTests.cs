using System.Net;
using Layan.Features.Operator;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Onboarding;

// Covers the operator bootstrap: `operator create-admin <email>` prints a one-time set-password
// link, and Operator:BootstrapAdminEmail on a first start emails one; the link sets a password
// and the new admin reaches the operator console.
public sealed class OperatorBootstrapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_create_admin_command_makes_an_operator_admin_and_prints_a_set_password_link()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        var output = await Processes.RunAsync("dotnet", [Repo.AppDll, "operator", "create-admin", "olga@layan.example"], environment: new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage__DataDirectory"] = database.DataDirectory,
            ["Web__PublicUrl"] = "https://support.example.com/",
        });

        output.ShouldContain("Set the password here (works once, for 24 hours): https://support.example.com/reset-password?email=olga%40layan.example&token=");
        await using var db = database.CreateContext();
        var admin = await db.Users.SingleAsync(u => u.Email == "olga@layan.example", Ct);
        admin.EmailConfirmed.ShouldBeTrue();
        admin.PasswordHash.ShouldBeNull();
        (await db.Set<OperatorStaffMember>().SingleAsync(Ct)).Role.ShouldBe(OperatorRoles.Admin);
    }

    [Fact]
    public async Task A_first_start_with_a_bootstrap_address_emails_the_admin_a_link_that_sets_the_password()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?> { ["Operator:BootstrapAdminEmail"] = "olga@layan.example" });
        using var client = app.Browser();
        _ = app.Services; // starts the node, which bootstraps

        var mail = (await app.EmailsToAsync("olga@layan.example")).ShouldHaveSingleItem();
        mail.Subject.ShouldBe("You are an operator admin of Layan");
        var token = OnboardingFlows.TokenIn(mail.TextBody);
        (await client.PostJsonAsync("/api/v1/auth/reset-password", new { email = "olga@layan.example", token, newPassword = "quiet lantern orchard 77" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.LoginAsync("olga@layan.example", "quiet lantern orchard 77")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/v1/operator/reviews", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/operator", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unproven_registration_of_the_address_does_not_become_an_admin_with_its_password()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var attacker = app.Browser();
        (await attacker.RegisterAsync("olga@layan.example", password: "attacker owns this 99")).EnsureSuccessStatusCode(); // never verified

        await using (var scope = app.Scope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<OperatorBootstrap>().CreateAdminAsync("olga@layan.example", Ct);
            created.SetPasswordLink.ShouldNotBeNull("the owner of the address sets the password");
        }

        (await attacker.LoginAsync("olga@layan.example", "attacker owns this 99")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await using var db = app.Database.CreateContext();
        (await db.Users.SingleAsync(u => u.Email == "olga@layan.example", Ct)).PasswordHash.ShouldBeNull();
    }
}
