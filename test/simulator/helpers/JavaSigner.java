// Signs CloudStack requests with the JDK's own java.net.URLEncoder and javax.crypto.Mac, as the
// management server canonicalises them. Run with the source launcher:
//   java JavaSigner.java SECRET name=value name=value -- name=value ...
// Prints one signed query string per group of parameters.
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class JavaSigner {
  public static void main(String[] args) throws Exception {
    String secret = args[0];
    List<String[]> group = new ArrayList<>();
    for (int i = 1; i <= args.length; i++) {
      if (i == args.length || args[i].equals("--")) {
        System.out.println(sign(secret, group));
        group = new ArrayList<>();
        continue;
      }
      int eq = args[i].indexOf('=');
      group.add(new String[] {args[i].substring(0, eq), args[i].substring(eq + 1)});
    }
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String sign(String secret, List<String[]> params) throws Exception {
    Map<String, String> values = new HashMap<>();
    List<String> names = new ArrayList<>();
    for (String[] p : params) {
      values.put(p[0], p[1]);
      names.add(p[0]);
    }
    Collections.sort(names);
    StringBuilder canonical = new StringBuilder();
    for (String name : names) {
      if (canonical.length() > 0) canonical.append('&');
      canonical.append(name).append('=').append(enc(values.get(name)));
    }
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    byte[] raw = mac.doFinal(canonical.toString().toLowerCase().getBytes(StandardCharsets.UTF_8));
    String signature = Base64.getEncoder().encodeToString(raw);
    StringBuilder query = new StringBuilder();
    for (String[] p : params) query.append(URLEncoder.encode(p[0], StandardCharsets.UTF_8)).append('=').append(enc(p[1])).append('&');
    return query.append("signature=").append(URLEncoder.encode(signature, StandardCharsets.UTF_8)).toString();
  }
}
