# frozen_string_literal: true

# docs/ruby.md: every ```ruby block, in order, as one program run by the
# installed gem in a folder with key.pem (a test key),
# QENCODE_SIGNING_KEY / QENCODE_SIGNING_KEY_ID set to it, and a SoftHSM2
# token holding it (SOFTHSM2_CONF, PKCS11_MODULE, HSM_PIN). A line
# `expression # => value` is checked (the program fails unless they are
# equal), and every such check must have run.

require_relative "test_helper"
require "fileutils"
require "open3"
require "rbconfig"
require "tmpdir"

class DocsTest < Minitest::Test
  include TestHelper
  DOC = File.join(TestHelper::ROOT, "docs", "ruby.md")
  CHECK = /\A(?<indent>\s*)(?<expr>\S.*?)\s+# => (?<want>.+)\z/

  def syntax_ok?(code)
    verbose = $VERBOSE
    $VERBOSE = nil # `(a == b)` alone on a line is a "useless ==" to the parser
    RubyVM::InstructionSequence.compile(code)
    true
  rescue SyntaxError
    false
  ensure
    $VERBOSE = verbose
  end

  # The blocks as one program; checked lines become __doc_check calls.
  def program
    lines = []
    checks = []
    in_block = false
    File.readlines(DOC, chomp: true).each_with_index do |line, i|
      if line == "```ruby"
        in_block = true
      elsif in_block && line == "```"
        in_block = false
      elsif in_block
        m = CHECK.match(line)
        if m
          assert syntax_ok?("(#{m[:expr]})\n(#{m[:want]})"), "docs/ruby.md:#{i + 1}: not a checkable `# =>` line"
          checks << (i + 1)
          lines << "#{m[:indent]}__doc_check(#{i + 1}, (#{m[:expr]}), (#{m[:want]}))"
        else
          lines << line
        end
      end
    end
    refute in_block, "an unterminated ```ruby block"
    [lines, checks]
  end

  def test_every_example_runs_and_every_check_holds
    lines, checks = program
    assert_operator checks.size, :>=, 55
    prelude = <<~RUBY
      $doc_checks = []
      def __doc_check(line, got, want)
        $doc_checks << line
        return if got == want

        warn "docs/ruby.md:\#{line}: got \#{got.inspect}, the doc says \#{want.inspect}"
        exit 1
      end
      at_exit { puts "checks: \#{$doc_checks.uniq.sort.join(",")}" }
    RUBY
    Dir.mktmpdir do |dir|
      FileUtils.cp(key_path("rsa2048.pkcs1.pem"), File.join(dir, "key.pem"))
      env = { "QENCODE_SIGNING_KEY" => pem2048, "QENCODE_SIGNING_KEY_ID" => KID, "SOFTHSM2_CONF" => softhsm_conf,
              "PKCS11_MODULE" => SOFTHSM_MODULE, "HSM_PIN" => SOFTHSM_PIN }
      # The gem this test process loaded (the installed one in the suite).
      lib = File.expand_path("../..", $LOADED_FEATURES.grep(%r{/qencode/cdn\.rb\z}).first)
      out, err, status = Open3.capture3(env, RbConfig.ruby, "-I", lib, "-", stdin_data: prelude + lines.join("\n"),
                                                                            chdir: dir)
      assert status.success?, "the docs' program failed:\n#{err}#{out}"
      ran = out[/^checks: (.*)$/, 1].to_s.split(",").map(&:to_i)
      assert_equal checks, ran, "checks of docs/ruby.md that did not run: #{checks - ran}"
    end
  end
end
