// The package definition: Qencode.Cdn.csproj (for `dotnet pack`) and the
// Mono build (Qencode.Cdn.rsp) compile the same sources, every file under
// src/, and every manifest carries the workspace's one version.
using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NUnit.Framework;
using Qencode.Cdn;

namespace Qencode.Cdn.Tests
{
    [TestFixture]
    public class PackageTests
    {
        private static string Dir { get { return Repo.File("bindings-dotnet"); } }

        [Test]
        public void TheCsprojAndTheMonoBuildListTheSameSourcesAndEveryFileUnderSrc()
        {
            var csproj = XDocument.Load(Path.Combine(Dir, "Qencode.Cdn.csproj"));
            var fromCsproj = csproj.Descendants("Compile").Select(e => (string)e.Attribute("Include")).OrderBy(s => s, StringComparer.Ordinal).ToList();
            var fromRsp = File.ReadAllLines(Path.Combine(Dir, "Qencode.Cdn.rsp")).Select(l => l.Trim()).Where(l => l.EndsWith(".cs", StringComparison.Ordinal)).OrderBy(s => s, StringComparer.Ordinal).ToList();
            var onDisk = Directory.GetFiles(Path.Combine(Dir, "src"), "*.cs", SearchOption.AllDirectories)
                .Select(p => p.Substring(Dir.Length + 1).Replace('\\', '/')).OrderBy(s => s, StringComparer.Ordinal).ToList();
            Assert.That(fromCsproj, Is.Not.Empty);
            Assert.That(fromRsp, Is.EqualTo(fromCsproj), "Qencode.Cdn.rsp and Qencode.Cdn.csproj differ");
            Assert.That(onDisk, Is.EqualTo(fromCsproj), "a file under src/ is missing from the build lists (or the reverse)");
            var props = csproj.Descendants("PropertyGroup").First();
            Assert.That((string)props.Element("TargetFramework"), Is.EqualTo("netstandard2.0"));
            Assert.That((string)props.Element("LangVersion"), Is.EqualTo("7.2"));
            Assert.That(File.ReadAllText(Path.Combine(Dir, "Qencode.Cdn.rsp")), Is.StringContaining("-langversion:7.2"));
        }

        [Test]
        public void EveryManifestHasTheWorkspaceVersion()
        {
            var cargo = File.ReadAllText(Repo.File("Cargo.toml"));
            var version = Regex.Match(cargo, "(?m)^version = \"([^\"]+)\"").Groups[1].Value;
            Assert.That(version, Is.Not.Empty);
            var csproj = XDocument.Load(Path.Combine(Dir, "Qencode.Cdn.csproj"));
            Assert.That((string)csproj.Descendants("Version").First(), Is.EqualTo(version));
            var nuspec = XDocument.Load(Path.Combine(Dir, "Qencode.Cdn.nuspec"));
            Assert.That(nuspec.Descendants().First(e => e.Name.LocalName == "version").Value, Is.EqualTo(version));
            var info = File.ReadAllText(Path.Combine(Dir, "src", "AssemblyInfo.cs"));
            Assert.That(info, Is.StringContaining("AssemblyInformationalVersion(\"" + version + "\")"));
            Assert.That(info, Is.StringContaining("AssemblyVersion(\"" + version + ".0\")"));
            Assert.That(Tokens.LibraryVersion, Is.EqualTo(version));
            var files = nuspec.Descendants().Where(e => e.Name.LocalName == "file").Select(e => (string)e.Attribute("target")).ToList();
            Assert.That(files, Has.Member("runtimes/linux-x64/native"));
            Assert.That(files, Has.Member("lib/netstandard2.0"));
        }
    }
}
