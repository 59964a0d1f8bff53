import { Inject, Injectable } from '@nestjs/common';
import { KeycloakTokenAuthenticator } from '@rs/auth-guard';
import { DomainError } from '@rs/key-domain';
import { MetricsService } from '@rs/service-kit';
import type { Request } from 'express';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';
import { firstForwardedAddress } from './client-address.util';

/** Who asks for a check, and the end client whose failures it counts. */
export interface KeyCheckCaller {
  /** The service's Keycloak client, or null for an unauthenticated caller. */
  service: string | null;
  clientAddress: string;
}

/**
 * Decides whose address a check counts against. A guard that shows its service token (client credentials of a
 * client in KEY_CHECK_SERVICE_CLIENTS) is believed about its end client (`X-Forwarded-For`, which the guard
 * writes itself). Anyone else is the client: its own address, as Express reads it through TRUST_PROXY.
 */
@Injectable()
export class KeyCheckCallerResolver {
  private readonly serviceClients: ReadonlySet<string>;
  private readonly callers;

  constructor(
    @Inject(KEY_MANAGER_CONFIG) config: KeyManagerConfig,
    private readonly tokens: KeycloakTokenAuthenticator,
    metrics: MetricsService,
  ) {
    this.serviceClients = new Set(config.KEY_CHECK_SERVICE_CLIENTS);
    this.callers = metrics.counter('key_check_callers_total', 'Key checks by kind of caller', ['caller']);
  }

  /** The caller of `request`; 401 SERVICE_TOKEN_INVALID when it sends a token that does not check out. */
  async resolve(request: Request): Promise<KeyCheckCaller> {
    const ownAddress = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    if (request.headers.authorization === undefined) {
      this.callers.inc({ caller: 'anonymous' });
      return { service: null, clientAddress: ownAddress };
    }
    const { clientId } = await this.tokens.authenticateService(request, this.serviceClients);
    if (clientId === null) {
      // A user's own token (Swagger UI sends it on every call): the caller is the client, as without a token.
      this.callers.inc({ caller: 'user' });
      return { service: null, clientAddress: ownAddress };
    }
    this.callers.inc({ caller: 'service' });
    const forwarded = request.headers['x-forwarded-for'];
    if (forwarded === undefined) return { service: clientId, clientAddress: ownAddress };
    const clientAddress = firstForwardedAddress(forwarded);
    if (!clientAddress)
      throw DomainError.invalidParameter('x-forwarded-for', "X-Forwarded-For must start with the client's IP address");
    return { service: clientId, clientAddress };
  }
}
