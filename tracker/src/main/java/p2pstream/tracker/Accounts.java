package p2pstream.tracker;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.access.Devices;
import p2pstream.common.access.GuessLimit;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.PeerId;

/**
 * The gate before the {@link AccountStore}: every password try (a session's ACCOUNT, the dashboard's log-in) is
 * braked by a {@link GuessLimit} per account and one per source address (registrations by a
 * {@link RegistrationLimit} per address), at most one try per account and per address is checked at a time, and at
 * most {@link #MAX_CHECKS_IN_FLIGHT} password hashes wait for the store's thread at once; a try refused here costs a
 * map lookup, never a hash. A right password forgets the account's wrong tries, not the address's (else a guesser
 * could clear its address's brake by logging in to its own account between guesses). Registry loop only (cheap map
 * work beside the registry); the store's thread does the slow part and its outcomes come back here.
 */
final class Accounts implements AutoCloseable {
    /** Password hashes (600,000 rounds each) queued at the store at most: a flood waits in refusals, not a queue. */
    static final int MAX_CHECKS_IN_FLIGHT = 4;
    /** DEVICES questions queued at the store at most (each one indexed query). */
    static final int MAX_QUESTIONS_IN_FLIGHT = 256;

    /** The verdict on a try: with WAIT or a wrong password, how long the next try from there must wait. */
    record Verdict(Outcome outcome, int devices, long waitMillis) {
    }

    /** What a try came to: the store's results, and the gate's own two refusals. */
    enum Outcome {
        OK, TAKEN, WRONG_PASSWORD, NO_ACCOUNT, NO_DEVICE, ACCOUNTS_FULL, DEVICES_FULL, FAILED, WAIT, BUSY,
        REGISTERED_LATELY
    }

    private final AccountStore store;
    private final EventLoop loop;
    private final GuessLimit<String> byAccount;
    private final GuessLimit<InetAddress> byAddress;
    private final RegistrationLimit registrations;
    /** Accounts and addresses with a try at the store now. */
    private final Set<Object> checking = new HashSet<>();
    private int checksInFlight;
    private int questionsInFlight;

    Accounts(AccountStore store, EventLoop registryLoop) {
        this.store = store;
        this.loop = registryLoop;
        this.byAccount = new GuessLimit<>(registryLoop.clock());
        this.byAddress = new GuessLimit<>(registryLoop.clock());
        this.registrations = new RegistrationLimit(registryLoop.clock());
    }

    /**
     * A session's ACCOUNT from {@code from}, proved to be {@code device}: the verdict to {@code done} on this loop.
     * The password is cleared once checked.
     */
    void onRequest(AccountRequest r, PeerId device, InetAddress from, Consumer<Verdict> done) {
        boolean register = r.op() == AccountRequest.Op.REGISTER;
        attempt(r.name(), from, !register, done, finished -> {
            switch (r.op()) {
                case REGISTER -> store.register(r.name(), r.password(), device, finished);
                case LOG_IN -> store.logIn(r.name(), r.password(), device, finished);
                case REMOVE_DEVICE -> store.removeDevice(r.name(), r.password(), r.device(), finished);
            }
        }, r::clear);
    }

    /** The dashboard's log-in: the password checked, no device bound. */
    void check(String name, char[] password, InetAddress from, Consumer<Verdict> done) {
        attempt(name, from, true, done, finished -> store.check(name, password, finished),
                () -> Arrays.fill(password, '\0'));
    }

    /** The devices of {@code name} (or whether it exists; unknown when the store is busy or fails) to {@code done}. */
    void devices(String name, Consumer<Devices> done) {
        if (questionsInFlight >= MAX_QUESTIONS_IN_FLIGHT) {
            done.accept(Devices.unknown(name));
            return;
        }
        questionsInFlight++;
        store.devices(name, ids -> loop.execute(() -> {
            questionsInFlight--;
            done.accept(ids);
        }));
    }

    @Override
    public void close() {
        store.close();
    }

    private interface StoreCall {
        void run(Consumer<AccountStore.Outcome> finished);
    }

    private void attempt(String name, InetAddress address, boolean guess, Consumer<Verdict> done, StoreCall call,
                      Runnable clear) {
        InetAddress from = GuessLimit.sourceOf(address);
        if (!guess && registrations.waitMillis(from) > 0) {
            clear.run();
            done.accept(new Verdict(Outcome.REGISTERED_LATELY, 0, registrations.waitMillis(from)));
            return;
        }
        long wait = guess ? Math.max(byAccount.waitMillis(name), byAddress.waitMillis(from)) : 0;
        if (wait > 0 || checking.contains(name) || checking.contains(from)) {
            clear.run();
            done.accept(new Verdict(Outcome.WAIT, 0, Math.max(wait, 1)));
            return;
        }
        if (checksInFlight >= MAX_CHECKS_IN_FLIGHT) {
            clear.run();
            done.accept(new Verdict(Outcome.BUSY, 0, 0));
            return;
        }
        checksInFlight++;
        checking.add(name);
        checking.add(from);
        call.run(o -> loop.execute(() -> {
            clear.run();
            checksInFlight--;
            checking.remove(name);
            checking.remove(from);
            done.accept(verdict(name, from, guess, o));
        }));
    }

    private Verdict verdict(String name, InetAddress from, boolean guess, AccountStore.Outcome o) {
        Outcome outcome = Outcome.valueOf(o.result().name());
        if (guess && (outcome == Outcome.WRONG_PASSWORD || outcome == Outcome.NO_ACCOUNT)) {
            byAccount.onWrong(name);
            byAddress.onWrong(from);
            return new Verdict(outcome, 0, Math.max(byAccount.waitMillis(name), byAddress.waitMillis(from)));
        }
        if (guess && outcome == Outcome.OK) {
            byAccount.onRight(name);
        }
        if (!guess && outcome == Outcome.OK) {
            registrations.onRegistered(from);
        }
        return new Verdict(outcome, o.devices(), 0);
    }
}
