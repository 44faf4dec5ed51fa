package provgraph.neo4j;

import inet.ipaddr.IPAddressString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Neo4j Community, embedded, serving Bolt on loopback for provgraph (`provgraph services up`).
 *
 * <p>Usage: {@code Neo4jService HOME BOLT_PORT PAGECACHE}. The login comes from the environment
 * ({@code PROVGRAPH_NEO4J_SERVICE_USER}, {@code PROVGRAPH_NEO4J_SERVICE_PASSWORD}) so it never
 * shows in {@code ps}; it is (re)applied on every start, so the configured password always works.
 * Data goes to HOME/data and Neo4j's own logs to HOME/logs. Once the login is set, HOME/ready is
 * written: Bolt may accept connections a moment before that, and a client that tries too early
 * would count as a failed login. SIGTERM shuts the DBMS down cleanly (a JVM shutdown hook).
 * Cypher may read no file of this machine and fetch no URL (LOAD CSV): provgraph never
 * needs it, and user queries must not reach the server's files or network.
 */
public final class Neo4jService {
    private Neo4jService() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: Neo4jService HOME BOLT_PORT PAGECACHE (e.g. 256m)");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Path ready = home.resolve("ready");
        Path imports = home.resolve("import");
        try {
            Files.createDirectories(imports);
        } catch (IOException e) {
            e.printStackTrace();
            System.exit(1);
        }
        Duration boltDrain = Duration.ofSeconds(1); // Bolt's default is 5 s + 5 s on shutdown
        // Cypher reads no file and fetches no URL: LOAD CSV with file:/// is refused (and
        // confined to an empty import directory), and no address may be fetched from.
        List<IPAddressString> everyAddress =
                List.of(new IPAddressString("0.0.0.0/0"), new IPAddressString("::/0"));
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, imports)
                .setConfig(GraphDatabaseInternalSettings.cypher_ip_blocklist, everyAddress)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(args[2]))
                .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, boltDrain)
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, boltDrain)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("provgraph-neo4j: shutting down");
            deleteQuietly(ready);
            dbms.shutdown();
            stopped.countDown();
        }, "provgraph-neo4j-shutdown"));
        try {
            setLogin(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME),
                    requireEnv("PROVGRAPH_NEO4J_SERVICE_USER"),
                    requireEnv("PROVGRAPH_NEO4J_SERVICE_PASSWORD"));
            Files.writeString(ready, ProcessHandle.current().pid() + "\n");
        } catch (RuntimeException | IOException e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("provgraph-neo4j: ready, Bolt on 127.0.0.1:" + port + ", home " + home);
        stopped.await();
    }

    /** Create the user if needed, then give it the password with no change required. */
    private static void setLogin(GraphDatabaseService system, String user, String password) {
        Map<String, Object> params = Map.of("user", user, "password", password);
        system.executeTransactionally(
                "CREATE USER $user IF NOT EXISTS SET PASSWORD $password CHANGE NOT REQUIRED",
                params);
        try {
            system.executeTransactionally("ALTER USER $user SET PASSWORD $password", params);
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
        system.executeTransactionally("ALTER USER $user SET PASSWORD CHANGE NOT REQUIRED", params);
    }

    private static String requireEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value;
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Nothing to do: the launcher removes a stale marker before the next start.
        }
    }
}
