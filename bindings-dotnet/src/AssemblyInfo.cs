using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyTitle("Qencode.Cdn")]
[assembly: AssemblyDescription("RS256 signed playback URLs, tokens and cookies, verification that explains itself, and the Qencode CDN management API client, over the qencode-cdn C ABI.")]
[assembly: AssemblyVersion("0.1.0.0")]
[assembly: AssemblyFileVersion("0.1.0.0")]
[assembly: AssemblyInformationalVersion("0.1.0")]
// The tests map every error code through the internal table (INTERNAL cannot be provoked through the C ABI).
[assembly: InternalsVisibleTo("Qencode.Cdn.Tests")]
