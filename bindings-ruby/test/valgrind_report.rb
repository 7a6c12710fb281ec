# frozen_string_literal: true

# Reads a valgrind log of test/leak_check.rb and finds the records that are
# ours: a memory error (invalid read/write, uninitialised value, bad free)
# or a definite/indirect leak whose stack passes through libqencode_cdn.
# Ruby's own leaks and its conservative GC's reads are not counted (their
# stacks never enter the library).
#
#   ruby test/valgrind_report.rb LOG            # passes when no record is ours
#   ruby test/valgrind_report.rb --canary LOG   # for a run with QCDN_LEAK_CANARY=1: passes when
#                                               # the only record is the canary's one leaked URL
#                                               # (valgrind saw it; the loop leaked nothing, since
#                                               # a leak in the same call would make it 2+ blocks)

canary = ARGV.delete("--canary")
log = File.read(ARGV.fetch(0))
records = log.split(/^==\d+== \n/).map { |r| r.gsub(/^==\d+== ?/, "") }
kinds = Regexp.union(/\AInvalid (read|write|free)/, /\AConditional jump/, /\AUse of uninitialised/, /\ASyscall param/,
                     /\AMismatched free/, /\A.*are (definitely|indirectly) lost/)
ours = records.select { |r| r.match?(kinds) && r.match?(/libqencode_cdn|qencode_cdn::|qcdn_/) }
summary = log[/definitely lost: [\d,]+ bytes in [\d,]+ blocks/]
expected = canary ? " (expected: the canary's one leaked URL)" : ""
puts "valgrind: #{ours.size} record(s) through libqencode_cdn#{expected} " \
     "(the whole process, Ruby's own included: #{summary || 'no leak summary'})"
abort "valgrind: the log has no leak summary" unless summary
if canary
  ok = ours.size == 1 && ours[0].match?(/\A[\d,]+ bytes in 1 blocks are definitely lost/) &&
       ours[0].include?("qcdn_live_playback_url")
  unless ok
    ours.first(5).each { |r| warn r }
    abort "valgrind: expected exactly the canary's leak (1 block from qcdn_live_playback_url)"
  end
else
  unless ours.empty?
    ours.first(5).each { |r| warn r }
    abort "valgrind: memory errors or leaks through libqencode_cdn"
  end
end
