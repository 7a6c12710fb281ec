# frozen_string_literal: true

module Qencode
  module Cdn
    # External signers written in Ruby (`Signer.external { |signing_input| … }`):
    # the one `qcdn_sign_callback` the gem hands to the library, and the
    # bookkeeping around it. The core does everything else, as for any
    # external signer: it builds the token and verifies the signature with
    # the public key before it returns one.
    #
    # Threads and the GVL. A signer is made with `timeout_ms = 0`, so the
    # library calls the callback inline, on the thread that signs. Signing
    # functions are attached with `blocking: true` (the GVL is released);
    # ruby-ffi sees a Ruby thread without the GVL and takes it back
    # (`rb_thread_call_with_gvl`) for the callback, so the block runs as
    # ordinary Ruby code on the caller's thread. Batches of a signer with a
    # Ruby block run on that thread too (the gem passes `threads = 1`): a
    # library thread would reach Ruby only through ruby-ffi's dispatcher, one
    # new Ruby thread per signature, for no gain under the GVL.
    #
    # Nothing may unwind through the library's frames. The block's
    # exceptions are rescued in the callback (any Exception), which returns
    # non-zero with the exception's class and message, so the call fails
    # with SIGNER_FAILED; the exception is kept in the call's {Frame} and
    # becomes the `cause` of the {SignerFailedError} raised once the library
    # has returned (exceptions that are not StandardErrors — Interrupt,
    # SystemExit … — are raised again themselves, unchanged). A block left
    # without an exception (`throw`, `break`, a `return` from the method
    # that made it, Ruby 3.1's `Timeout.timeout` around the call, which
    # throws) is stopped by an `ensure` that returns, and fails the same way.
    # Around the library call, `Thread.handle_interrupt(Object => :never)`
    # defers `Thread#kill` (which no `rescue` sees) until the library has
    # returned; the block itself runs with exceptions delivered immediately
    # (`Thread#raise`, Ctrl-C), so that those still interrupt a hung block.
    #
    # Lifetime. The block is held in a registry under a number, and that
    # number is the callback's `user_data`; the library calls
    # `free_user_data` exactly once, when the last signer sharing the
    # callback (the signer and the cached signers made from it) is freed,
    # and that removes the block. Both `FFI::Function`s are constants, alive
    # for the whole process.
    #
    # @api private
    module External
      # The longest text of an exception carried into an error message (characters).
      MAX_MESSAGE = 500
      FRAME = :__qencode_cdn_external_frame
      private_constant :FRAME

      # One library call of a signer with a Ruby block, on this thread: the
      # exceptions its callbacks rescued, in order.
      class Frame
        # A non-StandardError the block raised, to raise again after the call.
        attr_reader :reraise

        def initialize
          @failures = []
          @reraise = nil
          @stopped = false
        end

        # Whether an earlier callback of this call was interrupted: the
        # later ones of a batch then fail without calling the block.
        def stopped?
          @stopped
        end

        # A failed callback: its message and the exception (nil for a block
        # left without one, or a bad return value).
        def record(message, exception, stop:)
          @failures << [message, exception] if exception
          @reraise ||= exception if exception && !exception.is_a?(StandardError)
          @stopped = true if stop
        end

        # The exception behind a SIGNER_FAILED message (which holds the
        # callback's text), taken out of the list; nil when there is none.
        def take_cause(message)
          i = @failures.index { |text, _| message.include?(text) }
          i && @failures.delete_at(i)[1]
        end
      end

      @callables = {}
      @next_id = 0
      @lock = Mutex.new

      class << self
        # Keeps `callable` for a new external signer; returns its `user_data` number.
        def register(callable)
          @lock.synchronize do
            @next_id += 1
            @callables[@next_id] = callable
            @next_id
          end
        end

        # `free_user_data`: the last signer sharing the block was freed. Runs
        # where `qcdn_signer_free` runs (often a finalizer): no lock, a
        # single Hash operation, atomic under the GVL.
        def release(id)
          @callables.delete(id)
          nil
        end

        # Whether the block registered under `id` is still held (tests).
        def held?(id)
          @callables.key?(id)
        end

        # How many blocks are held (tests).
        def held_count
          @callables.size
        end

        # Runs one library call of a signer with a Ruby block (`yield`s the
        # call's {Frame}). A SIGNER_FAILED error gets the block's exception
        # as its `cause`; a non-StandardError the block raised is raised
        # again instead.
        def call
          frame = Frame.new
          outer = Thread.current[FRAME]
          Thread.current[FRAME] = frame
          begin
            result = Thread.handle_interrupt(Object => :never) { yield frame }
          rescue SignerFailedError => e
            raise frame.reraise, cause: nil if frame.reraise

            cause = frame.take_cause(e.message)
            raise e, cause: cause if cause

            raise
          ensure
            Thread.current[FRAME] = outer
          end
          raise frame.reraise, cause: nil if frame.reraise

          result
        end

        # `qcdn_sign_callback`. Returns 0 with the signature written, or 1
        # with a message; never raises.
        def sign(id, input, input_len, sig, sig_cap, sig_len, error, error_cap)
          frame = Thread.current[FRAME]
          outcome = if frame&.stopped?
                      ["not called: an earlier signature of this call was interrupted", nil, false]
                    else
                      run(@callables[id], input.read_bytes(input_len))
                    end
          if outcome.is_a?(String)
            n = outcome.bytesize
            sig.put_bytes(0, outcome) if n <= sig_cap # a longer one: the library says so (nothing is copied)
            sig_len.write(:size_t, n)
            return 0
          end
          message, exception, stop = outcome
          frame&.record(message, exception, stop:)
          write_message(error, error_cap, message)
          1
        rescue Exception # rubocop:disable Lint/RescueException -- nothing may unwind into the library
          1
        end

        private

        # Calls the block; returns the signature (a String) or
        # `[message, exception, stop]`.
        def run(callable, input)
          return ["the signer's block is gone (its signer was freed)", nil, false] if callable.nil?

          finished = false
          begin
            result = Thread.handle_interrupt(Exception => :immediate) { callable.call(input) }
            finished = true
          rescue Exception => e # rubocop:disable Lint/RescueException -- every exception, kept as the cause
            finished = true
            return [describe(e), e, !e.is_a?(StandardError)]
          ensure
            unless finished
              # rubocop:disable Lint/EnsureReturn -- stops a throw/break/return before it unwinds into the library
              return ["the block did not return: it was left by throw, break, return or an interrupt " \
                      "(such as Timeout.timeout around the signing call)", nil, true]
              # rubocop:enable Lint/EnsureReturn
            end
          end
          return result if result.is_a?(String)

          ["the block returned #{result.nil? ? 'nil' : result.class}, not a String of signature bytes", nil, false]
        end

        def describe(exception)
          text = "#{exception.class}: #{exception.message}"
          text = text.encode(Encoding::UTF_8, invalid: :replace, undef: :replace)
          text.length > MAX_MESSAGE ? "#{text[0, MAX_MESSAGE]}…" : text
        rescue Exception # rubocop:disable Lint/RescueException -- a message that cannot be read
          exception.class.name.to_s
        end

        # Writes `message` NUL-terminated into the library's buffer, cut at a
        # character boundary to fit.
        def write_message(error, error_cap, message)
          return if error.null? || error_cap.zero?

          bytes = message.b
          bytes = message.byteslice(0, error_cap - 1).scrub("").b if bytes.bytesize >= error_cap
          error.put_bytes(0, bytes)
          error.put_uint8(bytes.bytesize, 0)
        end
      end

      # The callback given to `qcdn_signer_new_external` for every Ruby signer.
      SIGN = FFI::Function.new(:int32, %i[pointer pointer size_t pointer size_t pointer pointer size_t]) do |*args|
        ud, *rest = args
        External.sign(ud.address, *rest)
      end

      # Its `free_user_data`.
      RELEASE = FFI::Function.new(:void, [:pointer]) { |ud| External.release(ud.address) }
    end
    private_constant :External
  end
end
