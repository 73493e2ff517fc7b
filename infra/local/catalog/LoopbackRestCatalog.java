// Runs Apache Iceberg's REST catalog server (the iceberg-open-api test-fixtures jar) on the loopback
// interface only. The jar's own main binds every interface and its backend set-up is package-private,
// so this launcher reaches the backend (catalog from the CATALOG_* environment, the adapter that adds
// storage credentials to loadTable responses) by reflection and serves it through its own Jetty
// connector on 127.0.0.1. Started by infra/local/services.ts as
//   java -cp iceberg-open-api.jar infra/local/catalog/LoopbackRestCatalog.java
// (Java's single-file source launcher: nothing to compile or cache). CATALOG_REST_PORT is the port.

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

public final class LoopbackRestCatalog {
  private static final String FIXTURES = "org.apache.iceberg.rest.";

  private LoopbackRestCatalog() {}

  /** The fixture's backend adapter, built the way its own start() builds it. */
  private static RESTCatalogAdapter backendAdapter() throws ReflectiveOperationException {
    Class<?> serverClass = Class.forName(FIXTURES + "RESTCatalogServer");
    Constructor<?> serverConstructor = serverClass.getDeclaredConstructor();
    serverConstructor.setAccessible(true);
    Object fixtureServer = serverConstructor.newInstance();

    Method initializeBackend = serverClass.getDeclaredMethod("initializeBackendCatalog");
    initializeBackend.setAccessible(true);
    Object catalogContext = initializeBackend.invoke(fixtureServer);

    Class<?> contextClass = Class.forName(FIXTURES + "RESTCatalogServer$CatalogContext");
    Constructor<?> adapterConstructor =
        Class.forName(FIXTURES + "RESTServerCatalogAdapter").getDeclaredConstructor(contextClass);
    adapterConstructor.setAccessible(true);
    return (RESTCatalogAdapter) adapterConstructor.newInstance(catalogContext);
  }

  public static void main(String[] args) throws Exception {
    String portText = System.getenv("CATALOG_REST_PORT");
    if (portText == null || portText.isBlank()) {
      throw new IllegalArgumentException("CATALOG_REST_PORT is not set: give the port to listen on");
    }
    int port = Integer.parseInt(portText.trim());

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(new ServletHolder(new RESTCatalogServlet(backendAdapter())), "/*");
    context.insertHandler(new GzipHandler());

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.start();
    System.out.println("floe: iceberg rest catalog listening on 127.0.0.1:" + port);
    server.join();
  }
}
