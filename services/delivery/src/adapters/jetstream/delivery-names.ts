/** Streams and subjects owned by delivery, under the deployment's subject root. */
export interface DeliveryNames {
  taskStream: string;
  attemptStream: string;
  endpointBucket: string;
  /** Event gateway accounts and stream credentials (delivery only). */
  gatewayBucket: string;
  /** <root>.delivery.task.<tenant>.<endpointId> */
  task(tenant: string, endpointId: string): string;
  allTasks(): string;
  /** <root>.delivery.attempt.<tenant>.<endpointId> */
  attempt(tenant: string, endpointId: string): string;
  allAttempts(): string;
}

export function deliveryNames(root: string): DeliveryNames {
  const upper = root.toUpperCase();
  return {
    taskStream: `${upper}_DELIVERY`,
    attemptStream: `${upper}_DELIVERY_ATTEMPTS`,
    endpointBucket: `${upper}_delivery_endpoints`,
    gatewayBucket: `${upper}_delivery_gateway`,
    task: (tenant, endpointId) => `${root}.delivery.task.${tenant}.${endpointId}`,
    allTasks: () => `${root}.delivery.task.>`,
    attempt: (tenant, endpointId) => `${root}.delivery.attempt.${tenant}.${endpointId}`,
    allAttempts: () => `${root}.delivery.attempt.>`,
  };
}
