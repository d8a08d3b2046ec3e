"""Running Sigap federated: composing the subgraphs into a supergraph, and the topology of
processes (databases, subgraphs, gateway) that docker-compose.yml and the loopback script start."""
