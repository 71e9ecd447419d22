using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Work;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Layan.Features.Accounts;

internal static class AccountsModule
{
    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccountOptions>().Bind(builder.Configuration.GetSection(AccountOptions.Section));
        services.AddIdentityCore<User>(options =>
            {
                // ACC-3 is PasswordPolicy (length, common list, personal words, zxcvbn), not composition rules.
                options.Password.RequiredLength = PasswordPolicy.MinLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.User.RequireUniqueEmail = true;
                options.User.AllowedUserNameCharacters = "";
                options.SignIn.RequireConfirmedEmail = true;
                // Lockout is counted by PasswordSignIn within a window (LOG-3); Identity's own
                // counter has no window.
                options.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<Infrastructure.Db.LayanDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<PolicyPasswordValidator>();
        services.AddOptions<PasswordHasherOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<AccountOptions>>((hasher, accounts) => hasher.IterationCount = accounts.Value.PasswordHashIterations);
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureSessionCookie();
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();

        services.AddScoped<EmailVerification>();
        services.AddScoped<PhoneVerification>();
        services.AddScoped<Passkeys>();
        services.TryAddScoped<IPasskeyHandler<User>, PasskeyHandler<User>>();
        services.AddOptions<IdentityPasskeyOptions>().Configure(options =>
        {
            // A passkey signs in on its own, so the device must check its owner (PIN or biometrics),
            // and it must be discoverable for a sign-in without typing an address.
            options.UserVerificationRequirement = "required";
            options.ResidentKeyRequirement = "required";
        });
        services.AddScoped<Registration>();
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<PasswordReset>();
        services.AddScoped<SecurityActivity>();
        services.AddScoped<MySecurity>();
        services.AddScoped<MyAccount>();
        services.AddScoped<Avatars>();
        services.AddScoped<TwoFactor>();
        services.AddScoped<Lockout>();
        // "Remember this device" for the second factor (LOG-2): 30 days, or until the stamp changes.
        services.Configure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(
            IdentityConstants.TwoFactorRememberMeScheme, cookie => cookie.ExpireTimeSpan = TimeSpan.FromDays(30));
        services.AddScoped<IWorkHandler<DueWork>, AutoResendHandler>();
        services.AddScoped<IWorkHandler<DueWork>, PurgeUnverifiedHandler>();
        return builder;
    }

    public static WebApplication UseAccounts(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapAccounts(this WebApplication app)
    {
        app.MapAccountEndpoints();
        return app;
    }
}
