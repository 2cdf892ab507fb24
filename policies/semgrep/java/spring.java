package shop;

import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.web.SecurityFilterChain;

class Security {
  @Bean
  SecurityFilterChain legacy(HttpSecurity http) throws Exception {
    // ruleid: guard.java.spring-csrf-disabled
    http.csrf().disable();
    return http.build();
  }

  @Bean
  SecurityFilterChain lambdas(HttpSecurity http) throws Exception {
    // ruleid: guard.java.spring-csrf-disabled
    http.csrf(AbstractHttpConfigurer::disable).authorizeHttpRequests(a -> a.anyRequest().authenticated());
    return http.build();
  }

  @Bean
  SecurityFilterChain lambda(HttpSecurity http) throws Exception {
    // ruleid: guard.java.spring-csrf-disabled
    http.csrf(csrf -> csrf.disable());
    return http.build();
  }

  @Bean
  SecurityFilterChain kept(HttpSecurity http) throws Exception {
    // ok: guard.java.spring-csrf-disabled
    http.csrf(csrf -> csrf.ignoringRequestMatchers("/webhooks/**"));
    return http.build();
  }
}
