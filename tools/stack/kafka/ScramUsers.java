// Creates or updates SCRAM-SHA-256 and SCRAM-SHA-512 credentials through the Admin API, which kafkajs lacks.
// Run by tools/stack/lib/kafka.mjs with Java's source launcher on the broker's own jars:
//   java -cp '<kafka libs>/*' ScramUsers.java <bootstrap>
// Env RS_KAFKA_ADMIN = "user:password" (PLAIN, a super user), RS_KAFKA_SCRAM_USERS = "user:password" lines;
// passwords stay out of the command line.
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class ScramUsers {
  public static void main(String[] args) throws Exception {
    String[] admin = System.getenv("RS_KAFKA_ADMIN").split(":", 2);
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("security.protocol", "SASL_PLAINTEXT");
    props.put("sasl.mechanism", "PLAIN");
    props.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + admin[0] + "\" password=\"" + admin[1] + "\";");
    props.put("request.timeout.ms", "15000");
    props.put("default.api.timeout.ms", "30000");
    int count = 0;
    try (Admin client = Admin.create(props)) {
      // One request per mechanism: the broker refuses two alterations of one user in the same request.
      for (ScramMechanism mechanism : new ScramMechanism[] {ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512}) {
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        for (String line : System.getenv("RS_KAFKA_SCRAM_USERS").split("\n")) {
          if (line.isBlank()) continue;
          String[] user = line.split(":", 2);
          upserts.add(new UserScramCredentialUpsertion(user[0], new ScramCredentialInfo(mechanism, 8192), user[1]));
        }
        client.alterUserScramCredentials(upserts).all().get(60, TimeUnit.SECONDS);
        count += upserts.size();
      }
    }
    System.out.println("SCRAM credentials set: " + count);
  }
}
