package shop;

import java.beans.XMLDecoder;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.stream.XMLInputFactory;
import org.w3c.dom.Document;

class Imports {
  Document parse(InputStream in) throws Exception {
    // ruleid: guard.java.xxe
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    return dbf.newDocumentBuilder().parse(in);
  }

  Document parseOK(InputStream in) throws Exception {
    // ok: guard.java.xxe
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return dbf.newDocumentBuilder().parse(in);
  }

  Object stream(InputStream in) throws Exception {
    // ruleid: guard.java.xxe
    XMLInputFactory xif = XMLInputFactory.newFactory();
    return xif.createXMLStreamReader(in);
  }

  Object streamOK(InputStream in) throws Exception {
    // ok: guard.java.xxe
    XMLInputFactory xif = XMLInputFactory.newFactory();
    xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    return xif.createXMLStreamReader(in);
  }
}

class Sessions {
  Object restore(InputStream in) throws Exception {
    ObjectInputStream ois = new ObjectInputStream(in);
    // ruleid: guard.java.insecure-deserialization
    return ois.readObject();
  }

  Object restoreBeans(InputStream in) {
    // ruleid: guard.java.insecure-deserialization
    return new XMLDecoder(in).readObject();
  }

  Object restoreFiltered(InputStream in) throws Exception {
    ObjectInputStream ois = new ObjectInputStream(in);
    ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter("shop.Cart;!*"));
    // ok: guard.java.insecure-deserialization
    return ois.readObject();
  }
}
