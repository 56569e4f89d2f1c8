package p2pstream.tracker;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.Devices;
import p2pstream.common.access.PasswordHash;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.PeerId;

/**
 * The tracker's accounts, kept in an SQLite file ({@value #FILE} in the tracker's data directory) so they survive a
 * restart: {@code accounts} (name, the password's {@link PasswordHash} line, created) and {@code devices} (account,
 * peer id, added). An account is never removed; its devices are, by its password. JDBC blocks and a password check
 * takes PBKDF2's 600,000 rounds, so all of it runs on the store's one thread ({@code accounts}), never on an event
 * loop: callers submit and get the outcome on that thread, which they hand back to their loop. One thread also makes
 * the file's writers one. Any thread may submit.
 */
final class AccountStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccountStore.class);
    static final String FILE = "accounts.db";
    /** Accounts one tracker keeps at most unless told otherwise ({@code --max-accounts}). */
    static final int DEFAULT_MAX_ACCOUNTS = 10_000;

    /** What a request came to. */
    enum Result { OK, TAKEN, WRONG_PASSWORD, NO_ACCOUNT, NO_DEVICE, ACCOUNTS_FULL, DEVICES_FULL, FAILED }

    /** A request's outcome: with OK, the account's devices now (0 for a check that binds none). */
    record Outcome(Result result, int devices) {
    }

    private static final Outcome FAILED = new Outcome(Result.FAILED, 0);

    private final Connection db;
    private final int maxAccounts;
    private final int hashIterations;
    private final Clock clock;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "accounts");
        t.setDaemon(true);
        return t;
    });

    private AccountStore(Connection db, int maxAccounts, int hashIterations, Clock clock) {
        this.db = db;
        this.maxAccounts = maxAccounts;
        this.hashIterations = hashIterations;
        this.clock = clock;
    }

    /** Opens (or makes, owner-only) {@code dir} and the file in it, with {@link PasswordHash#ITERATIONS} rounds. */
    static AccountStore open(Path dir, int maxAccounts) throws IOException {
        return open(dir, maxAccounts, PasswordHash.ITERATIONS, Clock.SYSTEM);
    }

    /** The same with a chosen hash round count (tests: fewer) and clock. */
    static AccountStore open(Path dir, int maxAccounts, int hashIterations, Clock clock) throws IOException {
        Path file = ownerOnly(dir).resolve(FILE);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // kept from an earlier run
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: SQLite makes it
        }
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                // trackers sharing a home (tests, a restart) open the file at once: wait for the other's lock
                s.execute("PRAGMA busy_timeout = 10000");
                s.executeUpdate("PRAGMA foreign_keys = ON");
                s.executeUpdate("CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, password TEXT NOT NULL,"
                        + " created INTEGER NOT NULL)");
                s.executeUpdate("CREATE TABLE IF NOT EXISTS devices (account TEXT NOT NULL REFERENCES accounts(name),"
                        + " peer_id TEXT NOT NULL, added INTEGER NOT NULL, PRIMARY KEY (account, peer_id))");
            }
            return new AccountStore(db, maxAccounts, hashIterations, clock);
        } catch (SQLException e) {
            throw new IOException("accounts: " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path ownerOnly(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        return dir;
    }

    /** Makes the account {@code name} with {@code password}, {@code device} its first device. */
    void register(String name, char[] password, PeerId device, Consumer<Outcome> done) {
        submit(done, FAILED, () -> registerNow(name, password, device));
    }

    /** Checks the password and, when right, makes {@code device} one of the account's devices. */
    void logIn(String name, char[] password, PeerId device, Consumer<Outcome> done) {
        submit(done, FAILED, () -> logInNow(name, password, device));
    }

    /** Checks the password only (the dashboard's log-in): OK with devices 0, or why not. */
    void check(String name, char[] password, Consumer<Outcome> done) {
        submit(done, FAILED, () -> logInNow(name, password, null));
    }

    /** Checks the password and, when right, takes {@code device} off the account: OK with the devices left. */
    void removeDevice(String name, char[] password, PeerId device, Consumer<Outcome> done) {
        submit(done, FAILED, () -> removeDeviceNow(name, password, device));
    }

    /** The account's device ids, or whether it exists: unknown when the store failed or is closed. */
    void devices(String name, Consumer<Devices> done) {
        submit(done, Devices.unknown(name), () -> devicesNow(name));
    }

    /** Closes the file once the work already submitted is done (waiting at most a few seconds); any thread. */
    @Override
    public void close() {
        try {
            thread.execute(() -> {
                try {
                    db.close();
                } catch (SQLException e) {
                    log.warn("accounts: closing: {}", e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            return; // closed before
        }
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} on the store's thread and hands its result to {@code done} there; {@code failed} when it
     * throws (a bad row included: the caller is always answered) or the store is closed.
     */
    private <T> void submit(Consumer<T> done, T failed, Work<T> work) {
        try {
            thread.execute(() -> {
                T result;
                try {
                    result = work.run();
                } catch (SQLException | RuntimeException e) {
                    log.warn("accounts: {}", e.getMessage());
                    result = failed;
                }
                done.accept(result);
            });
        } catch (RejectedExecutionException e) {
            done.accept(failed); // closed
        }
    }

    private Outcome registerNow(String name, char[] password, PeerId device) throws SQLException {
        if (hashOf(name) != null) {
            return new Outcome(Result.TAKEN, 0); // before hashing: a name taken costs no rounds
        }
        if (count("SELECT count(*) FROM accounts") >= maxAccounts) {
            return new Outcome(Result.ACCOUNTS_FULL, 0);
        }
        String line = PasswordHash.of(password, hashIterations).encode();
        long now = nowMillis();
        db.setAutoCommit(false);
        try {
            try (PreparedStatement a = db.prepareStatement("INSERT INTO accounts VALUES (?, ?, ?)");
                 PreparedStatement d = db.prepareStatement("INSERT INTO devices VALUES (?, ?, ?)")) {
                a.setString(1, name);
                a.setString(2, line);
                a.setLong(3, now);
                a.executeUpdate();
                d.setString(1, name);
                d.setString(2, device.text());
                d.setLong(3, now);
                d.executeUpdate();
            }
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
        log.info("account {} registered, device {}", name, device.text());
        return new Outcome(Result.OK, 1);
    }

    private Outcome logInNow(String name, char[] password, PeerId device) throws SQLException {
        Outcome refused = passwordRefused(name, password);
        if (refused != null) {
            return refused;
        }
        if (device == null) {
            return new Outcome(Result.OK, 0);
        }
        String id = device.text();
        int devices = count("SELECT count(*) FROM devices WHERE account = ?", name);
        if (count("SELECT count(*) FROM devices WHERE account = ? AND peer_id = ?", name, id) > 0) {
            return new Outcome(Result.OK, devices);
        }
        if (devices >= AccountAnswer.MAX_DEVICES) {
            return new Outcome(Result.DEVICES_FULL, devices);
        }
        try (PreparedStatement d = db.prepareStatement("INSERT INTO devices VALUES (?, ?, ?)")) {
            d.setString(1, name);
            d.setString(2, id);
            d.setLong(3, nowMillis());
            d.executeUpdate();
        }
        log.info("account {}: device {} added", name, id);
        return new Outcome(Result.OK, devices + 1);
    }

    private Outcome removeDeviceNow(String name, char[] password, PeerId device) throws SQLException {
        Outcome refused = passwordRefused(name, password);
        if (refused != null) {
            return refused;
        }
        int removed;
        try (PreparedStatement d = db.prepareStatement("DELETE FROM devices WHERE account = ? AND peer_id = ?")) {
            d.setString(1, name);
            d.setString(2, device.text());
            removed = d.executeUpdate();
        }
        int left = count("SELECT count(*) FROM devices WHERE account = ?", name);
        if (removed == 0) {
            return new Outcome(Result.NO_DEVICE, left);
        }
        log.info("account {}: device {} removed, {} left", name, device.text(), left);
        return new Outcome(Result.OK, left);
    }

    /** NO_ACCOUNT or WRONG_PASSWORD, or null when the password is the account's. */
    private Outcome passwordRefused(String name, char[] password) throws SQLException {
        String line = hashOf(name);
        if (line == null) {
            return new Outcome(Result.NO_ACCOUNT, 0);
        }
        return PasswordHash.parse(line).matches(password) ? null : new Outcome(Result.WRONG_PASSWORD, 0);
    }

    /** Store thread only (tests call it through {@link #devices}). */
    private Devices devicesNow(String name) throws SQLException {
        if (hashOf(name) == null) {
            return new Devices(name, Devices.Found.NO_ACCOUNT, List.of());
        }
        List<PeerId> ids = new ArrayList<>();
        try (PreparedStatement q = db.prepareStatement("SELECT peer_id FROM devices WHERE account = ?"
                + " ORDER BY added, peer_id")) {
            q.setString(1, name);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    ids.add(PeerId.parse(r.getString(1)));
                }
            }
        }
        return new Devices(name, Devices.Found.FOUND, ids);
    }

    private String hashOf(String name) throws SQLException {
        try (PreparedStatement q = db.prepareStatement("SELECT password FROM accounts WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet r = q.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private int count(String sql, String... parameters) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                q.setString(i + 1, parameters[i]);
            }
            try (ResultSet r = q.executeQuery()) {
                return r.next() ? r.getInt(1) : 0;
            }
        }
    }

    private long nowMillis() {
        return clock.epochMicros() / 1000;
    }
}
