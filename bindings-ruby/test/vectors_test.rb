# frozen_string_literal: true

# The golden token vectors (tests/vectors/tokens.json) byte for byte, with
# the pinned clock given both as Unix seconds and as a Ruby Time, and every
# invalid vector refused with its code.

require_relative "test_helper"

class VectorsTest < Minitest::Test
  VECTORS = JSON.parse(File.read(File.join(TestHelper::ROOT, "tests", "vectors", "tokens.json")))

  def signer_for(vector)
    Qencode::Cdn::Signer.new(vector["kid"], File.read(File.join(TestHelper::ROOT, vector["key_file"])))
  end

  def options(vector, time:)
    opts = vector["options"].transform_keys(&:to_sym)
    opts[:now] = time ? Time.at(vector["now"]) : vector["now"]
    %i[expires_at not_before].each { |k| opts[k] = Time.at(opts[k]) if time && opts.key?(k) }
    opts
  end

  def test_every_vector_reproduced_byte_for_byte
    assert_operator VECTORS["vectors"].size, :>=, 14
    VECTORS["vectors"].each do |v|
      s = signer_for(v)
      assert_equal v["token"], s.sign(v["uri"], **options(v, time: false)), v["name"]
      assert_equal v["token"], s.sign(v["uri"], **options(v, time: true)), "#{v['name']} (Time)"
    end
  end

  def test_every_invalid_vector_refused_with_its_code
    assert_operator VECTORS["invalid"].size, :>=, 12
    VECTORS["invalid"].each do |v|
      err = assert_raises(Qencode::Cdn::Error, v["name"]) do
        signer_for(v).sign(v["uri"], **options(v, time: false))
      end
      assert_equal v["code"], err.code, "#{v['name']}: #{err.message}"
    end
  end
end
