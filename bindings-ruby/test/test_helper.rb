# frozen_string_literal: true

# Shared setup of the tests. They run against the *installed* gem (the suite
# tests/suites/65-ruby.sh installs the built gem into a fresh GEM_HOME and
# runs `ruby -Itest …` without the source lib/ on the load path); this file
# refuses to run against anything else unless QCDN_RUBY_FROM_SOURCE=1 is set
# (a developer's shortcut: `QCDN_RUBY_FROM_SOURCE=1 QENCODE_CDN_LIBRARY=… ruby -Ilib -Itest …`).

require "json"
require "base64"
require "fileutils"
require "open3"
require "tmpdir"
require "minitest/autorun"
require "qencode/cdn"
require "qencode/cdn/testing"

module TestHelper
  ROOT = ENV.fetch("QCDN_ROOT") { File.expand_path("../..", __dir__) }
  KEYS = File.join(ROOT, "tests", "keys")
  KID = "ec25a6a6-b31e-4ac9-af01-711460421c6b"
  NOW = 1_700_000_000
  SOFTHSM_MODULE = ENV.fetch("QCDN_SOFTHSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
  SOFTHSM_PIN = "1234"

  module_function

  # Runs the block while another Ruby thread counts in a loop; returns the
  # block's result and how often that thread ran meanwhile (about none when
  # the block holds the GVL, hundreds a second when it releases it).
  def other_thread_ticks_during
    ticks = 0
    done = false
    spinner = Thread.new do
      until done
        ticks += 1
        sleep 0.001
      end
    end
    before = ticks
    result = yield
    during = ticks - before
    done = true
    spinner.join
    [result, during]
  end

  def key_path(name)
    File.join(KEYS, name)
  end

  def read_key(name)
    File.read(key_path(name))
  end

  def pem2048
    @pem2048 ||= read_key("rsa2048.pkcs1.pem")
  end

  def signer
    @signer ||= Qencode::Cdn::Signer.new(KID, pem2048)
  end

  def verifier
    @verifier ||= Qencode::Cdn::Verifier.from_signer(signer)
  end

  # The golden tokens: every conformance `sign` case that expects a token
  # and loads its key from a file, as [name, kid, key file, uri, keyword
  # options, token] (the options as a Ruby user passes them).
  def golden_sign_cases
    @golden_sign_cases ||= Dir[File.join(ROOT, "tests", "conformance", "*.json")].flat_map do |path|
      JSON.parse(File.read(path))["cases"].filter_map do |c|
        i = c["input"] || {}
        token = (c["expect"] || {})["token"]
        key = (i["signer"] || {})["key"]
        next unless c["op"] == "sign" && token.is_a?(String) && key.is_a?(String)

        options = (i["options"] || {}).transform_keys(&:to_sym)
        [c["name"], i["signer"]["kid"], key, i["uri"], options, token]
      end
    end
  end

  def softhsm(conf, *args)
    out, status = Open3.capture2e({ "SOFTHSM2_CONF" => conf }, "softhsm2-util", *args)
    raise "softhsm2-util #{args.first}: #{out}" unless status.success?
  rescue Errno::ENOENT
    raise "softhsm2-util is missing: apt-get install softhsm2 (tests/suites/65-ruby.sh does)"
  end

  # SoftHSM2 tokens of this process, made once (the module reads
  # SOFTHSM2_CONF, set here, when the library first loads it) in a
  # temporary folder, never the system's configuration: `qcdn-test`
  # holding tests/keys/rsa2048 as `video-key` and rsa4096 as
  # `video-key-4096`, `locked` and `removable` holding rsa2048 as `k`; every
  # PIN is SOFTHSM_PIN. Returns the configuration file.
  def softhsm_conf
    TestHelper.instance_variable_get(:@softhsm_conf) || TestHelper.instance_variable_set(:@softhsm_conf, make_softhsm)
  end

  def make_softhsm
    raise "SoftHSM2 is not installed at #{SOFTHSM_MODULE}: apt-get install softhsm2" unless File.file?(SOFTHSM_MODULE)

    root = Dir.mktmpdir("qcdn-softhsm")
    Minitest.after_run { FileUtils.rm_rf(root) }
    Dir.mkdir(File.join(root, "tokens"))
    conf = File.join(root, "softhsm2.conf")
    File.write(conf, "directories.tokendir = #{root}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n")
    %w[qcdn-test locked removable].each do |t|
      softhsm(conf, "--init-token", "--free", "--label", t, "--pin", SOFTHSM_PIN, "--so-pin", "5678")
    end
    [%w[qcdn-test rsa2048.pkcs8.pem video-key 01], %w[qcdn-test rsa4096.pkcs8.pem video-key-4096 02],
     %w[locked rsa2048.pkcs8.pem k 03], %w[removable rsa2048.pkcs8.pem k 04]].each do |t, file, label, id|
      softhsm(conf, "--import", key_path(file), "--token", t, "--label", label, "--id", id, "--pin", SOFTHSM_PIN)
    end
    ENV["SOFTHSM2_CONF"] = conf
    conf
  end

  # One emulator process for the whole run, started on first use and
  # stopped when the tests are done.
  def emulator
    @emulator ||= Qencode::Cdn::Testing::Emulator.start.tap do |emu|
      Minitest.after_run { emu.stop }
    end
  end
end

unless ENV["QCDN_RUBY_FROM_SOURCE"] == "1"
  loaded = $LOADED_FEATURES.grep(%r{/qencode/cdn\.rb\z}).first.to_s
  unless loaded.start_with?(Gem.dir) && Qencode::Cdn.library_path.start_with?(Gem.dir)
    abort "the tests must run against the installed gem (GEM_HOME=#{Gem.dir}); loaded #{loaded} " \
          "and #{Qencode::Cdn.library_path} (set QCDN_RUBY_FROM_SOURCE=1 to test the source folder)"
  end
end
